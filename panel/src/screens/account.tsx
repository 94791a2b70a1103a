import { useEffect, useState } from 'react';
import { Title, useNotify, useTranslate } from 'react-admin';
import { Alert, Box, Button, Card, CardContent, Stack, TextField, Typography } from '@mui/material';
import { call, callAny } from '../api/client';
import { loadCapabilities, type Me } from '../api/capabilities';
import { ConfirmButton } from '../ConfirmButton';
import { useCan } from '../perms';

/** My account: 2FA enrolment with the QR image and recovery codes, turning 2FA off, changing the password. */
export function Account() {
  const translate = useTranslate();
  const notify = useNotify();
  const can = useCan();
  const [me, setMe] = useState<Me | null>(null);
  const [enroll, setEnroll] = useState<{ secret: string; qr_code: string } | null>(null);
  const [code, setCode] = useState('');
  const [codes, setCodes] = useState<string[] | null>(null);
  const [off, setOff] = useState('');
  const [password, setPassword] = useState('');

  const reload = async () => setMe((await loadCapabilities(true)).me);
  useEffect(() => {
    void reload();
  }, []);
  const fail = (e: any) => notify(e.message, { type: 'error' });
  if (!me) return null;
  const on = !!me.admin?.two_factor_enabled;

  return (
    <Card sx={{ mt: 2 }}>
      <Title title={translate('ispgate.account.title')} />
      <CardContent>
        <Stack spacing={2} sx={{ maxWidth: 560 }}>
          <Typography variant="h6" component="h2">{me.username}</Typography>
          <Typography>
            {translate('ispgate.account.twofa')}: <strong id="twofa-state">{translate(on ? 'ispgate.account.on' : 'ispgate.account.off')}</strong>
          </Typography>
          {codes && (
            <Alert severity="warning">
              {translate('ispgate.account.recovery')}
              <Box component="pre" id="recovery-codes" sx={{ m: 0 }}>{codes.join('\n')}</Box>
            </Alert>
          )}
          {!on && !enroll && (
            <Button variant="contained" onClick={() => call('start_2fa_enroll').then((r) => setEnroll(r.data)).catch(fail)}>
              {translate('ispgate.account.enroll')}
            </Button>
          )}
          {!on && enroll && (
            <Stack spacing={1}>
              <Typography>{translate('ispgate.account.scan')}</Typography>
              <img src={enroll.qr_code} alt={translate('ispgate.account.qr')} width={200} height={200} />
              <Typography variant="body2">{translate('ispgate.account.secret')}: <code>{enroll.secret}</code></Typography>
              <TextField id="enroll-code" label={translate('ispgate.signin.code')} value={code} onChange={(e) => setCode(e.target.value)} slotProps={{ htmlInput: { inputMode: 'numeric', autoComplete: 'one-time-code' } }} />
              <Button
                variant="contained"
                onClick={() =>
                  call('finish_2fa_enroll', { code })
                    .then((r) => {
                      setCodes(r.data.recovery_codes);
                      setEnroll(null);
                      setCode('');
                      return reload();
                    })
                    .catch(fail)
                }
              >
                {translate('ispgate.account.confirm')}
              </Button>
            </Stack>
          )}
          {on && (
            <Stack spacing={1}>
              <TextField id="disable-2fa" type="password" label={translate('ispgate.account.password_or_code')} value={off} onChange={(e) => setOff(e.target.value)} />
              <ConfirmButton
                label={translate('ispgate.account.disable')}
                title={translate('ispgate.account.disable')}
                content={translate('ispgate.account.disable_confirm')}
                color="error"
                disabled={!off}
                onConfirm={() =>
                  call('disable_own_2fa', /^\d{6}$/.test(off) ? { code: off } : { password: off })
                    .then(() => {
                      setOff('');
                      return reload();
                    })
                    .catch(fail)
                }
              />
            </Stack>
          )}
          {can('edit_web_admin') && me.admin && (
            <Stack spacing={1}>
              <TextField id="new-password" type="password" label={translate('resources.admins.fields.password')} value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" />
              <Button
                variant="outlined"
                disabled={password.length < 8}
                onClick={() =>
                  callAny('edit_web_admin', { id: me.admin!.id, password })
                    .then(() => {
                      setPassword('');
                      notify('ra.notification.updated', { messageArgs: { smart_count: 1 }, type: 'success' });
                    })
                    .catch(fail)
                }
              >
                {translate('ra.action.save')}
              </Button>
            </Stack>
          )}
        </Stack>
      </CardContent>
    </Card>
  );
}
