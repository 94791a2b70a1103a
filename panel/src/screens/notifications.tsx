/** Notifications (send to a segment, templates, delivery log) and the AI assistant chat. */
import { useEffect, useState } from 'react';
import { Title, useNotify, useTranslate } from 'react-admin';
import { Alert, Box, Button, Card, CardContent, Checkbox, Chip, FormControlLabel, MenuItem, Stack, TextField, Typography, Table, TableBody, TableCell, TableHead, TableRow } from '@mui/material';
import { callAny } from '../api/client';
import { ConfirmButton } from '../ConfirmButton';
import { useCan } from '../perms';

const SEGMENTS = ['all', 'plan', 'router', 'status', 'overdue'];

export function Notifications() {
  const translate = useTranslate();
  const notify = useNotify();
  const can = useCan();
  const [segment, setSegment] = useState('all');
  const [value, setValue] = useState('');
  const [channel, setChannel] = useState('all');
  const [template, setTemplate] = useState('');
  const [subject, setSubject] = useState('');
  const [text, setText] = useState('');
  const [templates, setTemplates] = useState<any[]>([]);
  const [log, setLog] = useState<any[]>([]);
  const [editing, setEditing] = useState<any | null>(null);

  const load = () => {
    if (can('list_notification_templates')) callAny('list_notification_templates').then((r) => setTemplates(r.data ?? []), () => undefined);
    if (can('list_notifications')) callAny('list_notifications', { per_page: 20 }).then((r) => setLog(Array.isArray(r.data) ? r.data : (r.data?.items ?? [])), () => undefined);
  };
  useEffect(load, []);
  const who = segment === 'all' || segment === 'overdue' ? translate(`ispgate.notify.segment_${segment}`) : `${segment} = ${value}`;

  return (
    <Card sx={{ mt: 2 }}>
      <Title title={translate('ispgate.menu.notifications')} />
      <CardContent>
        <Stack spacing={3}>
          {can('send_notification') && (
            <Stack spacing={2} sx={{ maxWidth: 640 }} component="section" aria-labelledby="notify-send">
              <Typography variant="h6" component="h2" id="notify-send">{translate('ispgate.notify.send')}</Typography>
              <TextField select id="notify-segment" label={translate('ispgate.notify.segment')} value={segment} onChange={(e) => setSegment(e.target.value)}>
                {SEGMENTS.map((s) => <MenuItem key={s} value={s}>{translate(`ispgate.notify.segment_${s}`)}</MenuItem>)}
              </TextField>
              {['plan', 'router', 'status'].includes(segment) && <TextField id="notify-value" label={translate('ispgate.notify.value')} value={value} onChange={(e) => setValue(e.target.value)} />}
              <TextField select id="notify-channel" label={translate('ispgate.notify.channel')} value={channel} onChange={(e) => setChannel(e.target.value)}>
                {['all', 'email', 'telegram', 'push'].map((c) => <MenuItem key={c} value={c}>{c}</MenuItem>)}
              </TextField>
              <TextField select id="notify-template" label={translate('ispgate.notify.template')} value={template} onChange={(e) => setTemplate(e.target.value)}>
                <MenuItem value="">—</MenuItem>
                {[...new Set(templates.map((t) => t.name))].map((n) => <MenuItem key={n} value={n}>{n}</MenuItem>)}
              </TextField>
              {!template && <TextField id="notify-subject" label={translate('ispgate.notify.subject')} value={subject} onChange={(e) => setSubject(e.target.value)} />}
              {!template && <TextField id="notify-text" label={translate('ispgate.notify.text')} multiline minRows={3} value={text} onChange={(e) => setText(e.target.value)} />}
              <ConfirmButton
                label={translate('ispgate.notify.send')}
                title={translate('ispgate.notify.send')}
                content={translate('ispgate.notify.send_confirm', { who, channel })}
                disabled={!template && !text}
                onConfirm={async () => {
                  try {
                    const r = await callAny('send_notification', { segment, value: value || undefined, channel, template: template || undefined, subject: subject || undefined, text: text || undefined });
                    notify(translate('ispgate.notify.queued', { n: r.data?.recipients ?? '' }), { type: 'success' });
                    load();
                  } catch (e: any) {
                    notify(e.message, { type: 'error' });
                  }
                }}
              />
            </Stack>
          )}
          {templates.length > 0 && (
            <Box component="section" aria-labelledby="notify-templates">
              <Typography variant="h6" component="h2" id="notify-templates">{translate('ispgate.notify.templates')}</Typography>
              <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap' }}>
                {templates.map((t) => (
                  <Chip key={`${t.name}-${t.language}`} label={`${t.name} (${t.language})${t.enabled ? ' ✓' : ''}`} onClick={can('save_notification_template') ? () => setEditing({ ...t }) : undefined} />
                ))}
              </Box>
              {editing && (
                <Stack spacing={1} sx={{ maxWidth: 640, mt: 2 }}>
                  <Typography>{editing.name} ({editing.language}){editing.event ? ` · ${editing.event}` : ''}</Typography>
                  <TextField id="tpl-subject" label={translate('ispgate.notify.subject')} value={editing.subject ?? ''} onChange={(e) => setEditing({ ...editing, subject: e.target.value })} />
                  <TextField id="tpl-body" label={translate('ispgate.notify.text')} multiline minRows={4} value={editing.body ?? ''} onChange={(e) => setEditing({ ...editing, body: e.target.value })} />
                  <FormControlLabel label={translate('ispgate.notify.enabled')} control={<Checkbox checked={!!editing.enabled} onChange={(e) => setEditing({ ...editing, enabled: e.target.checked })} />} />
                  <Box sx={{ display: 'flex', gap: 1 }}>
                    <Button variant="contained" onClick={() => callAny('save_notification_template', { name: editing.name, language: editing.language, subject: editing.subject, body: editing.body, enabled: editing.enabled ? 1 : 0 }).then(() => { setEditing(null); load(); }, (e) => notify(e.message, { type: 'error' }))}>{translate('ra.action.save')}</Button>
                    <Button onClick={() => setEditing(null)}>{translate('ra.action.cancel')}</Button>
                  </Box>
                </Stack>
              )}
            </Box>
          )}
          {log.length > 0 && (
            <Box component="section" aria-labelledby="notify-log" sx={{ overflowX: 'auto' }}>
              <Typography variant="h6" component="h2" id="notify-log">{translate('ispgate.notify.log')}</Typography>
              <Table size="small">
                <TableHead><TableRow><TableCell>#</TableCell><TableCell>{translate('ispgate.notify.channel')}</TableCell><TableCell>{translate('ispgate.notify.template')}</TableCell><TableCell>{translate('ispgate.common.status')}</TableCell><TableCell>{translate('ispgate.notify.recipients')}</TableCell><TableCell>{translate('ispgate.notify.at')}</TableCell></TableRow></TableHead>
                <TableBody>
                  {log.map((n) => (
                    <TableRow key={n.id}><TableCell>{n.id}</TableCell><TableCell>{n.channel}</TableCell><TableCell>{n.template ?? n.subject ?? '—'}</TableCell><TableCell>{n.status}</TableCell><TableCell>{n.recipients} {n.counts ? `(${Object.entries(n.counts).map(([k, v]) => `${k}: ${v}`).join(', ')})` : ''}</TableCell><TableCell>{n.created_at}</TableCell></TableRow>
                  ))}
                </TableBody>
              </Table>
            </Box>
          )}
        </Stack>
      </CardContent>
    </Card>
  );
}

interface Turn { q: string; answer?: string; used?: Array<{ action: string; ok: boolean; error?: string }>; proposals?: Array<{ id: string; action: string; params: Record<string, unknown>; status?: string }>; error?: string }

/** The assistant answers from the ISP's data with the caller's rights; every write it proposes waits for a click. */
export function Assistant() {
  const translate = useTranslate();
  const can = useCan();
  const [q, setQ] = useState('');
  const [turns, setTurns] = useState<Turn[]>([]);
  const [busy, setBusy] = useState(false);

  async function ask() {
    const question = q.trim();
    if (!question) return;
    setBusy(true);
    setQ('');
    try {
      const r = (await callAny('ai_ask', { question })).data;
      setTurns((t) => [...t, { q: question, answer: r.answer, used: r.actions_used, proposals: r.proposals }]);
    } catch (e: any) {
      setTurns((t) => [...t, { q: question, error: e.message }]);
    } finally {
      setBusy(false);
    }
  }
  async function confirm(ti: number, pi: number) {
    const p = turns[ti].proposals![pi];
    let status: string;
    try {
      await callAny('ai_confirm', { id: p.id });
      status = translate('ispgate.ai.done');
    } catch (e: any) {
      status = e.message;
    }
    setTurns((t) => t.map((x, i) => (i === ti ? { ...x, proposals: x.proposals!.map((y, j) => (j === pi ? { ...y, status } : y)) } : x)));
  }

  return (
    <Card sx={{ mt: 2 }}>
      <Title title={translate('ispgate.menu.assistant')} />
      <CardContent>
        <Stack spacing={2} sx={{ maxWidth: 800 }}>
          {turns.map((t, i) => (
            <Box key={i}>
              <Typography sx={{ fontWeight: 600 }}>{t.q}</Typography>
              {t.error && <Alert severity="error">{t.error}</Alert>}
              {t.answer !== undefined && <Typography sx={{ whiteSpace: 'pre-wrap' }}>{t.answer}</Typography>}
              {!!t.used?.length && (
                <Typography variant="caption" component="p">
                  {translate('ispgate.ai.used')}: {t.used.map((u) => `${u.action}${u.ok ? '' : ' ✗'}`).join(', ')}
                </Typography>
              )}
              {t.proposals?.map((p, j) => (
                <Alert key={p.id} severity="warning" sx={{ mt: 1 }}>
                  {translate('ispgate.ai.proposal')}: <code>{p.action}</code> {JSON.stringify(p.params)}
                  <Box>
                    {p.status ? <strong>{p.status}</strong> : can('ai_confirm') && (
                      <ConfirmButton label={translate('ispgate.ai.run')} title={translate('ispgate.ai.run')} content={translate('ispgate.ai.run_confirm', { action: p.action })} onConfirm={() => confirm(i, j)} />
                    )}
                  </Box>
                </Alert>
              ))}
            </Box>
          ))}
          <Stack direction="row" spacing={1} component="form" onSubmit={(e) => { e.preventDefault(); void ask(); }}>
            <TextField id="ai-question" label={translate('ispgate.ai.ask')} value={q} onChange={(e) => setQ(e.target.value)} fullWidth />
            <Button type="submit" variant="contained" disabled={busy || !q.trim()}>{translate('ispgate.ai.send')}</Button>
          </Stack>
        </Stack>
      </CardContent>
    </Card>
  );
}
