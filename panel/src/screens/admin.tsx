import { useEffect, useState } from 'react';
import {
  Create, Datagrid, DeleteButton, List, PasswordInput, SelectInput, SimpleForm, TextField, TextInput, required, BooleanField, Title,
  useNotify, useTranslate, ArrayField, ChipField, SingleFieldList, useCreate, useRedirect, useRecordContext,
} from 'react-admin';
import { Alert, Box, Button, Card, CardContent, MenuItem, Stack, TextField as MuiTextField } from '@mui/material';
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
        {can('tenant_delete') && <DeleteButton mutationMode="pessimistic" />}
      </Datagrid>
    </List>
  );
}
