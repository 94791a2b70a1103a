/**
 * Helpdesk: inbox (filters by status, priority, assignee; search), the ticket thread with reply and internal notes,
 * status/priority/assignee, close, and an AI reply draft. Shown only when list_tickets exists on this server.
 */
import { useState } from 'react';
import {
  Create, Datagrid, List, SelectInput, Show, SimpleForm, TextField, TextInput, required, SearchInput, SimpleList, FunctionField,
  useNotify, useRecordContext, useRefresh, useTranslate, TopToolbar, DeleteButton, useGetList,
} from 'react-admin';
import { Alert, Box, Button, Card, CardContent, Checkbox, FormControlLabel, Link, MenuItem, Stack, TextField as MuiTextField, Typography } from '@mui/material';
import { API, callAny } from '../api/client';
import { ConfirmButton } from '../ConfirmButton';
import { DateTimeField, StatusField, useIsPhone } from '../fields';
import { useCan } from '../perms';
import { useLocaleState } from 'react-admin';
import { dateTime, number } from '../format';

const STATUSES = ['open', 'in_progress', 'waiting', 'resolved', 'closed'];
const PRIORITIES = ['low', 'normal', 'high', 'urgent'];
const choices = (l: string[]) => l.map((id) => ({ id, name: id }));

const filters = [
  <SearchInput key="q" source="q" alwaysOn />,
  <SelectInput key="s" source="status" choices={choices(STATUSES)} alwaysOn />,
  <SelectInput key="p" source="priority" choices={choices(PRIORITIES)} />,
  <TextInput key="a" source="assignee" helperText="username, id or none" />,
  <TextInput key="u" source="username" />,
];

export function TicketList() {
  const phone = useIsPhone();
  return (
    <List filters={filters} sort={{ field: 'id', order: 'DESC' }}>
      {phone ? (
        <SimpleList primaryText={(r) => r.subject} secondaryText={(r) => `#${r.id} · ${r.status} · ${r.priority}`} tertiaryText={(r) => r.customer?.username ?? ''} linkType="show" />
      ) : (
        <Datagrid rowClick="show" bulkActionButtons={false}>
          <TextField source="id" />
          <TextField source="subject" />
          <FunctionField source="customer" label="resources.tickets.fields.customer_id" render={(r: any) => r.customer?.username ?? '—'} />
          <StatusField source="status" />
          <TextField source="priority" />
          <FunctionField source="assigned_to" render={(r: any) => r.assigned_to?.username ?? '—'} />
          <DateTimeField source="created_at" />
        </Datagrid>
      )}
    </List>
  );
}

function Thread() {
  const r = useRecordContext();
  const [locale] = useLocaleState();
  const translate = useTranslate();
  if (!r) return null;
  return (
    <Stack spacing={1} component="section" aria-label={translate('ispgate.ticket.thread')}>
      {(r.messages ?? []).map((m: any) => (
        <Card key={m.id} variant="outlined" sx={{ bgcolor: m.kind === 'note' ? '#fef9c3' : undefined }} data-kind={m.kind}>
          <CardContent sx={{ py: 1, '&:last-child': { pb: 1 } }}>
            <Typography variant="caption" component="p">
              {m.author ?? m.author_type} · {dateTime(locale, m.created_at)} {m.kind === 'note' ? `· ${translate('ispgate.ticket.internal')}` : ''}
            </Typography>
            <Typography variant="body2" sx={{ whiteSpace: 'pre-wrap' }}>{m.body}</Typography>
            <Attachments list={m.attachments} />
          </CardContent>
        </Card>
      ))}
    </Stack>
  );
}

function fileSize(locale: string, bytes: number): string {
  const [n, unit] = bytes >= 1024 * 1024 ? [bytes / 1024 / 1024, 'MB'] : bytes >= 1024 ? [bytes / 1024, 'KB'] : [bytes, 'B'];
  return `${number(locale, Math.round(n * 10) / 10)} ${unit}`;
}

/**
 * A message's attachments as download links. ticket_attachment answers GET, and a read over GET needs only the
 * session cookie (no CSRF token), so a plain link downloads the file itself (download=1: its own Content-Type and
 * Content-Disposition).
 */
function Attachments({ list }: { list?: Array<{ id: number; filename: string; mime_type: string; size: number }> }) {
  const can = useCan();
  const [locale] = useLocaleState();
  const translate = useTranslate();
  if (!list?.length) return null;
  const linked = can('ticket_attachment');
  return (
    <Box component="ul" aria-label={translate('ispgate.ticket.attachments')} sx={{ m: 0, mt: 1, pl: 2.5 }}>
      {list.map((a) => (
        <li key={a.id} data-attachment={a.id}>
          <Typography variant="body2" component="span">
            {linked ? (
              <Link href={`${API}?${new URLSearchParams({ action: 'ticket_attachment', id: String(a.id), download: '1' })}`} download={a.filename}>
                {a.filename}
              </Link>
            ) : (
              a.filename
            )}{' '}
            ({a.mime_type}, {fileSize(locale, a.size)})
          </Typography>
        </li>
      ))}
    </Box>
  );
}

function TicketControls() {
  const r = useRecordContext();
  const can = useCan();
  const notify = useNotify();
  const refresh = useRefresh();
  const translate = useTranslate();
  const [body, setBody] = useState('');
  const [internal, setInternal] = useState(false);
  const [busy, setBusy] = useState(false);
  const { data: admins } = useGetList('admins', { pagination: { page: 1, perPage: 100 } }, { enabled: can('list_web_admins') });
  if (!r) return null;
  const writable = can('ticket_reply');
  const act = async (action: string, params: Record<string, unknown>, done?: string) => {
    setBusy(true);
    try {
      await callAny(action, { id: r.id, ...params });
      if (done) notify(done, { type: 'success' });
    } catch (e: any) {
      notify(e.message, { type: 'error' });
    } finally {
      setBusy(false);
      refresh();
    }
  };
  return (
    <Stack spacing={2}>
      {writable && (
        <Box sx={{ display: 'flex', gap: 2, flexWrap: 'wrap' }}>
          {can('ticket_status') && (
            <MuiTextField select size="small" id="ticket-status" label={translate('resources.tickets.fields.status')} value={r.status === 'closed' ? '' : r.status} onChange={(e) => act('ticket_status', { status: e.target.value })} sx={{ minWidth: 160 }}>
              {STATUSES.filter((s) => s !== 'closed').map((s) => <MenuItem key={s} value={s}>{translate(`ispgate.status.${s}`, { _: s })}</MenuItem>)}
            </MuiTextField>
          )}
          {can('ticket_priority') && (
            <MuiTextField select size="small" id="ticket-priority" label={translate('resources.tickets.fields.priority')} value={r.priority ?? ''} onChange={(e) => act('ticket_priority', { priority: e.target.value })} sx={{ minWidth: 140 }}>
              {PRIORITIES.map((s) => <MenuItem key={s} value={s}>{s}</MenuItem>)}
            </MuiTextField>
          )}
          {can('ticket_assign') && (
            <MuiTextField select size="small" id="ticket-assign" label={translate('resources.tickets.fields.assigned_to')} value={r.assigned_to?.username ?? ''} onChange={(e) => act('ticket_assign', { admin: e.target.value })} sx={{ minWidth: 160 }}>
              <MenuItem value="">—</MenuItem>
              {(admins ?? []).map((a: any) => <MenuItem key={a.id} value={a.username}>{a.username}</MenuItem>)}
              {r.assigned_to && !(admins ?? []).some((a: any) => a.username === r.assigned_to.username) && <MenuItem value={r.assigned_to.username}>{r.assigned_to.username}</MenuItem>}
            </MuiTextField>
          )}
          {can('ticket_close') && r.status !== 'closed' && (
            <ConfirmButton label={translate('ispgate.ticket.close')} title={translate('ispgate.ticket.close')} content={translate('ispgate.ticket.close_confirm', { id: r.id })} color="warning" onConfirm={() => act('ticket_close', {}, translate('ispgate.ticket.closed'))} />
          )}
        </Box>
      )}
      <Thread />
      {writable && (
        <Stack spacing={1} component="form" onSubmit={(e) => { e.preventDefault(); if (body.trim()) void act('ticket_reply', { body, internal: internal ? 1 : 0 }).then(() => setBody('')); }}>
          <MuiTextField id="ticket-reply" label={translate(internal ? 'ispgate.ticket.note' : 'ispgate.ticket.reply')} multiline minRows={3} value={body} onChange={(e) => setBody(e.target.value)} />
          <Box sx={{ display: 'flex', gap: 2, alignItems: 'center', flexWrap: 'wrap' }}>
            <FormControlLabel control={<Checkbox id="ticket-internal" checked={internal} onChange={(e) => setInternal(e.target.checked)} />} label={translate('ispgate.ticket.internal')} />
            <Button type="submit" variant="contained" disabled={busy || !body.trim()}>{translate(internal ? 'ispgate.ticket.add_note' : 'ispgate.ticket.send')}</Button>
            {can('ai_draft_reply') && (
              <Button
                variant="outlined"
                disabled={busy}
                onClick={async () => {
                  setBusy(true);
                  try {
                    const d = (await callAny('ai_draft_reply', { id: r.id })).data;
                    setBody(String(d?.draft ?? d?.body ?? d?.text ?? ''));
                  } catch (e: any) {
                    notify(e.message, { type: 'error' });
                  } finally {
                    setBusy(false);
                  }
                }}
              >
                {translate('ispgate.ticket.ai_draft')}
              </Button>
            )}
          </Box>
          {can('ai_draft_reply') && <Alert severity="info" sx={{ py: 0 }}>{translate('ispgate.ticket.ai_note')}</Alert>}
        </Stack>
      )}
    </Stack>
  );
}

function TicketTitle() {
  const r = useRecordContext();
  return <span>{r ? `#${r.id} ${r.subject}` : ''}</span>;
}

export const TicketShow = () => {
  const can = useCan();
  return (
    <Show title={<TicketTitle />} actions={<TopToolbar>{can('ticket_delete') && <DeleteButton mutationMode="pessimistic" />}</TopToolbar>}>
      <Box sx={{ p: 2 }}>
        <Box sx={{ display: 'flex', gap: 3, flexWrap: 'wrap', mb: 2 }}>
          <StatusField source="status" />
          <FunctionField render={(r: any) => (r.customer ? `${r.customer.fullname ?? ''} (${r.customer.username})` : '—')} />
          <TextField source="priority" />
          <DateTimeField source="created_at" />
        </Box>
        <TicketControls />
      </Box>
    </Show>
  );
};

export const TicketCreate = () => (
  <Create redirect="show" mutationMode="pessimistic">
    <SimpleForm>
      <TextInput source="username" helperText="resources.tickets.fields.customer_id" />
      <TextInput source="subject" validate={required()} />
      <TextInput source="body" multiline minRows={3} validate={required()} />
      <SelectInput source="priority" choices={choices(PRIORITIES)} />
    </SimpleForm>
  </Create>
);
