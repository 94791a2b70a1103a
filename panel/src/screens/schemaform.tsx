/**
 * Settings forms built from the save action's JSON Schema as `describe` publishes it: the fields, their types,
 * enums and bounds are the API's own, so the form validates as the API does and follows it when it changes.
 * Secret fields (keys, passwords, tokens) start empty and are sent only when typed.
 */
import { useEffect, useState } from 'react';
import { Title, useNotify, useTranslate } from 'react-admin';
import { useParams } from 'react-router-dom';
import { Alert, Button, Card, CardContent, Checkbox, FormControlLabel, MenuItem, Stack, TextField, Typography } from '@mui/material';
import { callAny } from '../api/client';
import { loadCapabilities } from '../api/capabilities';

export const SETTINGS_AREAS: Record<string, { get: string; save: string }> = {
  billing: { get: 'get_billing_settings', save: 'save_billing_settings' },
  einvoice: { get: 'get_einvoice_settings', save: 'save_einvoice_settings' },
  erp: { get: 'get_erp_settings', save: 'save_erp_settings' },
  voip: { get: 'get_voip_settings', save: 'save_voip_settings' },
  notifications: { get: 'get_notification_settings', save: 'save_notification_settings' },
  ai: { get: 'get_ai_settings', save: 'save_ai_settings' },
};

interface Prop {
  type?: string | string[];
  enum?: unknown[];
  anyOf?: Prop[];
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  items?: Prop;
}

const SECRET = /(secret|password|pass$|api_key|token|subscription_key|private)/i;

function flat(p: Prop): Prop & { nullable?: boolean } {
  if (p.anyOf) {
    const real = p.anyOf.find((x) => x.type !== 'null') ?? {};
    return { ...real, nullable: p.anyOf.some((x) => x.type === 'null') };
  }
  return p;
}
const kind = (p: Prop) => {
  const t = Array.isArray(p.type) ? p.type : [p.type];
  if (p.enum) return 'enum';
  if (t.includes('boolean')) return 'bool';
  if (t.includes('array')) return 'list';
  if (t.includes('object')) return 'object';
  if (t.includes('integer') || (t.includes('number') && !t.includes('string'))) return 'number';
  return 'text';
};

export function SettingsArea() {
  const { area = '' } = useParams();
  const def = SETTINGS_AREAS[area];
  const translate = useTranslate();
  const notify = useNotify();
  const [props, setProps] = useState<Record<string, Prop>>({});
  const [values, setValues] = useState<Record<string, any>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [writable, setWritable] = useState(false);

  useEffect(() => {
    if (!def) return;
    void (async () => {
      const caps = await loadCapabilities();
      const schema = (caps.actions.get(def.save)?.input ?? {}) as { properties?: Record<string, Prop> };
      setProps(schema.properties ?? {});
      setWritable(caps.can(def.save));
      try {
        const r = (await callAny(def.get)).data ?? {};
        setValues(Object.fromEntries(Object.entries(r).filter(([k]) => !SECRET.test(k))));
      } catch (e: any) {
        notify(e.message, { type: 'error' });
      }
    })();
  }, [area]);

  if (!def) return null;

  async function save() {
    const out: Record<string, unknown> = {};
    for (const [k, raw] of Object.entries(props)) {
      const p = flat(raw);
      const v = values[k];
      if (v === undefined || (SECRET.test(k) && !v)) continue;
      const kd = kind(p);
      if (kd === 'object') continue;
      if (kd === 'list') out[k] = Array.isArray(v) ? v : String(v).split(',').map((s) => s.trim()).filter(Boolean);
      else if (kd === 'bool') out[k] = v ? 1 : 0;
      else out[k] = v === null ? '' : v;
    }
    try {
      const r = await callAny(def.save, out);
      setErrors({});
      setValues(Object.fromEntries(Object.entries(r.data ?? values).filter(([k]) => !SECRET.test(k))));
      notify(translate('ispgate.settings.saved'), { type: 'success' });
    } catch (e: any) {
      setErrors(e.details ?? {});
      notify(e.message, { type: 'error' });
    }
  }

  return (
    <Card sx={{ mt: 2 }}>
      <Title title={translate(`ispgate.settings_area.${area}`, { _: area })} />
      <CardContent>
        <Stack spacing={2} sx={{ maxWidth: 640 }}>
          <Typography variant="h6" component="h1">{translate(`ispgate.settings_area.${area}`, { _: area })}</Typography>
          {Object.entries(props).map(([k, raw]) => {
            const p = flat(raw);
            const kd = kind(p);
            const label = k.replace(/_/g, ' ');
            const v = values[k];
            const err = errors[k];
            if (kd === 'object') return null;
            if (kd === 'bool')
              return <FormControlLabel key={k} label={label} control={<Checkbox id={`set-${k}`} disabled={!writable} checked={!!v && v !== '0'} onChange={(e) => setValues({ ...values, [k]: e.target.checked })} />} />;
            if (kd === 'enum')
              return (
                <TextField key={k} select id={`set-${k}`} label={label} value={v ?? ''} disabled={!writable} error={!!err} helperText={err} onChange={(e) => setValues({ ...values, [k]: e.target.value })}>
                  {p.nullable && <MenuItem value="">—</MenuItem>}
                  {(p.enum ?? []).map((o) => <MenuItem key={String(o)} value={String(o)}>{String(o)}</MenuItem>)}
                </TextField>
              );
            return (
              <TextField
                key={k}
                id={`set-${k}`}
                label={label}
                type={SECRET.test(k) ? 'password' : kd === 'number' ? 'number' : 'text'}
                autoComplete={SECRET.test(k) ? 'new-password' : 'off'}
                placeholder={SECRET.test(k) ? translate('ispgate.settings.secret_unchanged') : undefined}
                value={Array.isArray(v) ? v.join(', ') : (v ?? '')}
                disabled={!writable}
                error={!!err}
                helperText={err ?? (kd === 'list' ? translate('ispgate.settings.comma_list') : undefined)}
                onChange={(e) => setValues({ ...values, [k]: e.target.value })}
                slotProps={{ htmlInput: { maxLength: p.maxLength, min: p.minimum, max: p.maximum } }}
              />
            );
          })}
          {writable ? <Button variant="contained" onClick={save}>{translate('ra.action.save')}</Button> : <Alert severity="info">{translate('ra.message.access_denied')}</Alert>}
        </Stack>
      </CardContent>
    </Card>
  );
}
