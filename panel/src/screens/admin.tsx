import { useEffect, useState } from 'react';
import {
  Create, Datagrid, DeleteButton, List, PasswordInput, SelectInput, SimpleForm, TextField, TextInput, required, BooleanField, Title,
  useNotify, useTranslate, ArrayField, ChipField, SingleFieldList, useCreate, useRedirect, useRecordContext, useRefresh,
} from 'react-admin';
import {
  Alert, Box, Button, Card, CardContent, Checkbox, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle, FormControlLabel, LinearProgress,
  MenuItem, Stack, TextField as MuiTextField, Typography,
} from '@mui/material';
import { ConfirmButton } from '../ConfirmButton';
import { callAny } from '../api/client';
import { DateTimeField } from '../fields';
import { useCan } from '../perms';
import { applyBranding } from '../branding';
import { loadCapabilities } from '../api/capabilities';
import { Link as RouterLink } from 'react-router-dom';

export function AdminList() {
  const can = useCan();
  return (
    <List>
      <Datagrid bulkActionButtons={false} rowClick={false}>
        <TextField source="username" />
        <TextField source="email" emptyText="—" />
        <TextField source="role" />
        <BooleanField source="two_factor_enabled" />
        <DateTimeField source="last_login_at" />
        {can('delete_web_admin') && <DeleteButton mutationMode="pessimistic" />}
      </Datagrid>
    </List>
  );
}

/** The roles the API accepts, read from add_web_admin's schema in describe (not a copy that can drift). */
function useRoles() {
  const [roles, setRoles] = useState<Array<{ id: string; name: string }>>([]);
  useEffect(() => {
    loadCapabilities().then((c) => {
      const input = c.actions.get('add_web_admin')?.input as { properties?: { role?: { enum?: string[]; default?: string } } } | undefined;
      setRoles((input?.properties?.role?.enum ?? []).map((id) => ({ id, name: id })));
    });
  }, []);
  return roles;
}

export const AdminCreate = () => {
  const roles = useRoles();
  return (
  <Create redirect="list" mutationMode="pessimistic">
    <SimpleForm>
      <TextInput source="username" validate={required()} autoComplete="off" />
      <PasswordInput source="password" validate={required()} autoComplete="new-password" />
      <TextInput source="email" type="email" />
      <SelectInput source="role" choices={roles} />
    </SimpleForm>
  </Create>
  );
};

export function ApiKeyList() {
  const can = useCan();
  return (
    <List>
      <Datagrid bulkActionButtons={false} rowClick={false}>
        <TextField source="id" />
        <TextField source="name" />
        <TextField source="prefix" emptyText="—" />
        <DateTimeField source="created_at" />
        <DateTimeField source="last_used_at" />
        {can('api_key_revoke') && <DeleteButton mutationMode="pessimistic" />}
      </Datagrid>
    </List>
  );
}

/** The key is shown once, right after creation; the API never returns it again. */
export function ApiKeyCreate() {
  const [create] = useCreate();
  const [key, setKey] = useState<string | null>(null);
  const redirect = useRedirect();
  const notify = useNotify();
  return (
    <Create>
      {key ? (
        <Box sx={{ p: 2 }}>
          <Alert severity="warning">This key is shown once. Copy it now: <code id="new-api-key">{key}</code></Alert>
          <Button onClick={() => redirect('list', 'api_keys')}>OK</Button>
        </Box>
      ) : (
        <SimpleForm
          onSubmit={(data: any) =>
            create('api_keys', { data }, { onSuccess: (r: any) => setKey(r.key), onError: (e: any) => notify(e.message, { type: 'error' }) })
          }
        >
          <TextInput source="name" validate={required()} />
          <TextInput source="admin" />
        </SimpleForm>
      )}
    </Create>
  );
}

export function WebhookList() {
  const can = useCan();
  return (
    <List>
      <Datagrid bulkActionButtons={false} rowClick={false}>
        <TextField source="url" />
        <ArrayField source="events">
          <SingleFieldList linkType={false}>
            <ChipField source="" />
          </SingleFieldList>
        </ArrayField>
        <BooleanField source="active" />
        {can('webhook_deliveries') && <WebhookLogButton />}
        {can('webhook_test') && <WebhookTestButton />}
        {can('webhook_delete') && <DeleteButton mutationMode="pessimistic" />}
      </Datagrid>
    </List>
  );
}

function WebhookLogButton() {
  const r = useRecordContext();
  const translate = useTranslate();
  if (!r) return null;
  return (
    <Button size="small" component={RouterLink} to={`/webhooks/${r.id}/deliveries`} aria-label={`${translate('ispgate.webhook.log')}: ${r.url}`}>
      {translate('ispgate.webhook.log')}
    </Button>
  );
}

function WebhookTestButton() {
  const r = useRecordContext();
  const notify = useNotify();
  if (!r) return null;
  return (
    <Button size="small" onClick={() => callAny('webhook_test', { id: r.id }).then((x) => notify(JSON.stringify(x.data).slice(0, 200), { type: 'info' }), (e) => notify(e.message, { type: 'error' }))}>
      Test
    </Button>
  );
}

export const WebhookCreate = () => (
  <Create redirect="list" mutationMode="pessimistic" transform={(d: any) => ({ ...d, events: String(d.events ?? '').split(/[\s,]+/).filter(Boolean) })}>
    <SimpleForm>
      <TextInput source="url" validate={required()} type="url" />
      <TextInput source="events" helperText="invoice.paid, customer.created" validate={required()} />
    </SimpleForm>
  </Create>
);

/** Settings and branding: company details, language, timezone, theme, logo and favicon uploads. */
export function Settings() {
  const translate = useTranslate();
  const notify = useNotify();
  const can = useCan();
  const [s, setS] = useState<Record<string, any> | null>(null);
  const [files, setFiles] = useState<{ logo?: File; favicon?: File }>({});
  useEffect(() => {
    callAny('get_settings').then((r) => setS(r.data), (e) => notify(e.message, { type: 'error' }));
  }, []);
  if (!s) return null;
  const writable = can('save_settings');
  const field = (name: string) => (
    <MuiTextField key={name} id={`settings-${name}`} label={name.replace(/_/g, ' ')} value={s[name] ?? ''} disabled={!writable} onChange={(e) => setS({ ...s, [name]: e.target.value })} />
  );
  async function save() {
    const fd = new FormData();
    for (const k of ['company_name', 'company_address', 'company_phone', 'company_email', 'company_website', 'timezone', 'language', 'theme']) if (s![k] != null) fd.set(k, String(s![k]));
    // "" clears the colour (the panel's own blue)
    fd.set('theme_color', String(s!.theme_color ?? ''));
    if (files.logo) fd.set('logo', files.logo);
    if (files.favicon) fd.set('favicon', files.favicon);
    try {
      const r = await callAny('save_settings', fd);
      setS(r.data);
      applyBranding(r.data);
      notify(translate('ispgate.settings.saved'), { type: 'success' });
    } catch (e: any) {
      notify(e.message, { type: 'error' });
    }
  }
  return (
    <Card sx={{ mt: 2 }}>
      <Title title={translate('ispgate.settings.title')} />
      <CardContent>
        <Stack spacing={2} sx={{ maxWidth: 560 }}>
          {['company_name', 'company_address', 'company_phone', 'company_email', 'company_website', 'timezone'].map(field)}
          <MuiTextField select id="settings-language" label={translate('ispgate.common.language')} value={s.language ?? 'el'} disabled={!writable} onChange={(e) => setS({ ...s, language: e.target.value })}>
            <MenuItem value="el">Ελληνικά</MenuItem>
            <MenuItem value="en">English</MenuItem>
          </MuiTextField>
          <MuiTextField select id="settings-theme" label="theme" value={s.theme ?? 'light'} disabled={!writable} onChange={(e) => setS({ ...s, theme: e.target.value })}>
            {['light', 'dark', 'auto'].map((t) => <MenuItem key={t} value={t}>{t}</MenuItem>)}
          </MuiTextField>
          <Stack direction="row" spacing={1} sx={{ alignItems: "center" }}>
            <MuiTextField
              id="settings-theme_color"
              label={translate('ispgate.settings.theme_color')}
              value={s.theme_color ?? ''}
              placeholder="#1d4ed8"
              disabled={!writable}
              helperText={translate('ispgate.settings.theme_color_help')}
              error={!!s.theme_color && !/^#[0-9a-fA-F]{6}$/.test(s.theme_color)}
              onChange={(e) => setS({ ...s, theme_color: e.target.value })}
            />
            <input
              type="color"
              aria-label={translate('ispgate.settings.theme_color')}
              value={/^#[0-9a-fA-F]{6}$/.test(s.theme_color ?? '') ? s.theme_color : '#1d4ed8'}
              disabled={!writable}
              onChange={(e) => setS({ ...s, theme_color: e.target.value })}
              style={{ width: 48, height: 40, border: 'none', background: 'none' }}
            />
          </Stack>
          {writable && (
            <>
              <label htmlFor="settings-logo">{translate('ispgate.settings.logo')} <input id="settings-logo" type="file" accept="image/*" onChange={(e) => setFiles({ ...files, logo: e.target.files?.[0] })} /></label>
              <label htmlFor="settings-favicon">{translate('ispgate.settings.favicon')} <input id="settings-favicon" type="file" accept="image/*" onChange={(e) => setFiles({ ...files, favicon: e.target.files?.[0] })} /></label>
              <Button variant="contained" onClick={save}>{translate('ra.action.save')}</Button>
            </>
          )}
        </Stack>
      </CardContent>
    </Card>
  );
}

/** Tenants: only for platform operators (tenant_list needs tenants.read, which tenant admins do not hold). */
export function TenantList() {
  const can = useCan();
  return (
    <List>
      <Datagrid bulkActionButtons={false} rowClick={false}>
        <TextField source="id" />
        <TextField source="slug" />
        <TextField source="name" />
        <TextField source="status" />
        <DateTimeField source="created_at" />
        {(can('tenant_suspend') || can('tenant_resume')) && <TenantStatusButtons />}
        {can('tenant_delete') && <DeleteButton mutationMode="pessimistic" />}
      </Datagrid>
    </List>
  );
}

type ServiceJob = { id: string; state: string; progress?: { done: number; total: number }; result?: any; error?: { message?: string } | null };

/**
 * Suspend (optionally cutting the subscribers' service) and resume. When the answer carries a service job (the
 * cut, or the restore on resume), its progress comes from job_status until it finishes, as month generation does.
 */
function TenantStatusButtons() {
  const r = useRecordContext();
  const can = useCan();
  const notify = useNotify();
  const refresh = useRefresh();
  const translate = useTranslate();
  const [open, setOpen] = useState(false);
  const [cut, setCut] = useState(false);
  const [busy, setBusy] = useState(false);
  const [job, setJob] = useState<ServiceJob | null>(null);
  if (!r) return null;
  const t = (k: string, o?: any) => translate(`ispgate.tenant.${k}`, { slug: r.slug, ...o });

  async function follow(j: ServiceJob) {
    setJob(j);
    for (;;) {
      if (j.state === 'completed' || j.state === 'failed' || j.state === 'cancelled') break;
      await new Promise((res) => setTimeout(res, 700));
      j = (await callAny('job_status', { id: String(j.id) })).data as ServiceJob;
      setJob(j);
    }
    if (j.state === 'failed') notify(j.error?.message ?? t('job_failed'), { type: 'error' });
    else if (j.state === 'completed') notify(t(j.result?.mode === 'restore' ? 'restored' : 'cut_done', { smart_count: j.result?.changed ?? 0 }), { type: 'success' });
  }

  async function act(action: 'tenant_suspend' | 'tenant_resume', params: Record<string, unknown>) {
    setBusy(true);
    try {
      const data = (await callAny(action, { id: r!.id, ...params })).data;
      notify(t(action === 'tenant_suspend' ? 'suspended' : 'resumed'), { type: 'success' });
      refresh();
      if (data?.service_job?.id) await follow(data.service_job);
    } catch (e: any) {
      notify(e.message, { type: 'error' });
    } finally {
      setBusy(false);
      refresh();
    }
  }

  const running = job && !['completed', 'failed', 'cancelled'].includes(job.state);
  // a finished job is a full bar (a cut of a tenant with no active subscribers has 0 of 0 to do)
  const pct = job && !running ? 100 : job?.progress && job.progress.total > 0 ? Math.round((100 * job.progress.done) / job.progress.total) : undefined;
  const labelId = `tenant-job-${r.id}`;
  return (
    <Box sx={{ display: 'flex', gap: 1, alignItems: 'center', flexWrap: 'wrap' }} onClick={(e) => e.stopPropagation()}>
      {r.status === 'active' && can('tenant_suspend') && (
        <Button size="small" color="warning" disabled={busy} onClick={() => { setCut(false); setOpen(true); }}>
          {t('suspend')}
        </Button>
      )}
      {r.status === 'suspended' && can('tenant_resume') && (
        <ConfirmButton
          label={t('resume')}
          title={t('resume')}
          content={t('resume_confirm')}
          disabled={busy}
          onConfirm={() => act('tenant_resume', {})}
        />
      )}
      {job && (
        <Box sx={{ minWidth: 160 }}>
          <Typography variant="caption" id={labelId}>
            {running ? t('job_running', { done: job.progress?.done ?? 0, total: job.progress?.total ?? 0 }) : t(`job_${job.state}`, { _: job.state })}
          </Typography>
          <LinearProgress aria-labelledby={labelId} variant={pct === undefined ? 'indeterminate' : 'determinate'} value={pct ?? 0} data-job={job.id} data-state={job.state} />
        </Box>
      )}
      <Dialog open={open} onClose={() => setOpen(false)} aria-labelledby={`tenant-suspend-title-${r.id}`}>
        <DialogTitle id={`tenant-suspend-title-${r.id}`}>{t('suspend_title')}</DialogTitle>
        <DialogContent>
          <DialogContentText>{t('suspend_confirm')}</DialogContentText>
          <FormControlLabel control={<Checkbox checked={cut} onChange={(e) => setCut(e.target.checked)} />} label={t('cut_service')} />
          <DialogContentText variant="body2">{cut ? t('cut_service_on') : t('cut_service_off')}</DialogContentText>
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setOpen(false)}>{translate('ispgate.common.cancel')}</Button>
          <Button
            color="warning"
            disabled={busy}
            onClick={() => {
              setOpen(false);
              void act('tenant_suspend', cut ? { cut_service: '1' } : {});
            }}
          >
            {t('suspend')}
          </Button>
        </DialogActions>
      </Dialog>
    </Box>
  );
}
