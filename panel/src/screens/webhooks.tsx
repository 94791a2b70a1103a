/** A webhook's delivery log (webhook_deliveries) with redelivery of dead deliveries (webhook_redeliver). */
import { Fragment, useCallback, useEffect, useState } from 'react';
import { RecordContextProvider, Title, useLocaleState, useNotify, useTranslate } from 'react-admin';
import { Link as RouterLink, useParams } from 'react-router-dom';
import { Box, Button, Card, CardContent, MenuItem, Pagination, Stack, Table, TableBody, TableCell, TableHead, TableRow, TextField, Typography } from '@mui/material';
import { call } from '../api/client';
import { ConfirmButton } from '../ConfirmButton';
import { StatusField } from '../fields';
import { dateTime } from '../format';
import { useCan } from '../perms';

interface Delivery {
  id: number;
  event: string;
  event_id: string;
  status: string;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  next_attempt_at: string | null;
  last_attempt_at: string | null;
  delivered_at: string | null;
  created_at: string;
  /** Each attempt, newest first (the last 20). */
  history?: Array<{ attempted_at: string; status_code: number | null; error: string | null; duration_ms: number }>;
}

const PER_PAGE = 25;
/** Read by screen readers, not shown: the heading of the column of row buttons. */
const visuallyHidden = { position: 'absolute', width: '1px', height: '1px', overflow: 'hidden', clip: 'rect(0 0 0 0)', whiteSpace: 'nowrap' } as const;

export function WebhookDeliveries() {
  const { id } = useParams();
  const translate = useTranslate();
  const notify = useNotify();
  const [locale] = useLocaleState();
  const can = useCan();
  const [hook, setHook] = useState<{ id: number; url: string } | null>(null);
  const [rows, setRows] = useState<Delivery[] | null>(null);
  const [total, setTotal] = useState(0);
  const [page, setPage] = useState(1);
  const [status, setStatus] = useState('');
  const [open, setOpen] = useState<number | null>(null);

  const load = useCallback(() => {
    call('webhook_deliveries', { id: Number(id), status: (status || undefined) as any, page, per_page: PER_PAGE }).then(
      (r) => {
        setRows(r.data ?? []);
        setTotal(r.meta?.total ?? 0);
      },
      (e) => notify(e.message, { type: 'error' }),
    );
  }, [id, status, page]);
  useEffect(load, [load]);
  useEffect(() => {
    call('webhook_list').then((r) => setHook(((r.data ?? []) as Array<{ id: number; url: string }>).find((h) => String(h.id) === String(id)) ?? null), () => undefined);
  }, [id]);

  const redeliver = async (params: { delivery_id?: number; webhook_id?: number }) => {
    try {
      const r = await call('webhook_redeliver', params);
      notify(translate('ispgate.webhook.queued', { smart_count: r.data?.redelivered ?? 0 }), { type: 'success' });
    } catch (e: any) {
      notify(e.message, { type: 'error' });
    }
    load();
  };
  const url = hook?.url ?? `#${id}`;
  const anyDead = (rows ?? []).some((d) => d.status === 'dead');

  return (
    <Card sx={{ mt: 2 }}>
      <Title title={translate('ispgate.webhook.log')} />
      <CardContent>
        <Typography variant="h5" component="h1">{translate('ispgate.webhook.log')}</Typography>
        <Typography color="text.secondary" sx={{ mb: 2, wordBreak: 'break-all' }} id="webhook-url">{url}</Typography>
        <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2} sx={{ mb: 2, alignItems: { sm: 'center' } }}>
          <TextField select id="delivery-status" label={translate('ispgate.common.status')} value={status} onChange={(e) => { setPage(1); setStatus(e.target.value); }} sx={{ minWidth: 180 }}>
            <MenuItem value="">{translate('ispgate.webhook.all')}</MenuItem>
            {['pending', 'sending', 'delivered', 'dead'].map((s) => <MenuItem key={s} value={s}>{translate(`ispgate.status.${s}`, { _: s })}</MenuItem>)}
          </TextField>
          {can('webhook_redeliver') && anyDead && (
            <ConfirmButton
              label={translate('ispgate.webhook.redeliver_all')}
              title={translate('ispgate.webhook.redeliver_all')}
              content={translate('ispgate.webhook.redeliver_all_confirm', { url })}
              onConfirm={() => redeliver({ webhook_id: Number(id) })}
            />
          )}
          <Button component={RouterLink} to="/webhooks" sx={{ whiteSpace: "nowrap" }}>{translate('ra.action.back')}</Button>
        </Stack>
        {rows && rows.length === 0 && <Typography color="text.secondary">{translate('ispgate.webhook.empty')}</Typography>}
        {rows && rows.length > 0 && (
          <Box sx={{ overflowX: 'auto' }}>
            <Table size="small" id="webhook-deliveries" aria-label={translate('ispgate.webhook.log')}>
              <TableHead>
                <TableRow>
                  <TableCell>{translate('ispgate.webhook.event')}</TableCell>
                  <TableCell>{translate('ispgate.common.status')}</TableCell>
                  <TableCell>{translate('ispgate.webhook.attempts')}</TableCell>
                  <TableCell>{translate('ispgate.webhook.last_code')}</TableCell>
                  <TableCell>{translate('ispgate.webhook.last_attempt')}</TableCell>
                  <TableCell>{translate('ispgate.webhook.next_attempt')}</TableCell>
                  <TableCell>{translate('ispgate.webhook.error')}</TableCell>
                  <TableCell><Box component="span" sx={visuallyHidden}>{translate('ispgate.webhook.actions')}</Box></TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {rows.map((d) => (
                  <Fragment key={d.id}>
                  <TableRow data-delivery={d.id} data-status={d.status}>
                    <TableCell>{d.event}</TableCell>
                    <TableCell>
                      <RecordContextProvider value={d}>
                        <StatusField source="status" />
                      </RecordContextProvider>
                    </TableCell>
                    <TableCell>
                      {d.history?.length ? (
                        <Button size="small" aria-expanded={open === d.id} aria-controls={`delivery-${d.id}-history`} data-history-toggle onClick={() => setOpen(open === d.id ? null : d.id)}>
                          {d.attempts} · {translate('ispgate.webhook.history')}
                        </Button>
                      ) : (
                        d.attempts
                      )}
                    </TableCell>
                    <TableCell>{d.last_status_code ?? '—'}</TableCell>
                    <TableCell sx={{ whiteSpace: 'nowrap' }}>{dateTime(locale, d.last_attempt_at)}</TableCell>
                    <TableCell sx={{ whiteSpace: 'nowrap' }}>{dateTime(locale, d.next_attempt_at)}</TableCell>
                    <TableCell>{d.last_error ?? '—'}</TableCell>
                    <TableCell>
                      {can('webhook_redeliver') && d.status === 'dead' && (
                        <ConfirmButton
                          label={translate('ispgate.webhook.redeliver')}
                          title={translate('ispgate.webhook.redeliver')}
                          content={translate('ispgate.webhook.redeliver_confirm', { id: d.id, event: d.event, url })}
                          onConfirm={() => redeliver({ delivery_id: d.id })}
                        />
                      )}
                    </TableCell>
                  </TableRow>
                  {open === d.id && d.history && (
                    <TableRow id={`delivery-${d.id}-history`} data-history={d.id}>
                      <TableCell colSpan={8} sx={{ bgcolor: 'action.hover' }}>
                        <Table size="small" aria-label={translate('ispgate.webhook.history')}>
                          <TableHead>
                            <TableRow>
                              <TableCell>{translate('ispgate.webhook.attempted_at')}</TableCell>
                              <TableCell>{translate('ispgate.webhook.response')}</TableCell>
                              <TableCell>{translate('ispgate.webhook.duration')}</TableCell>
                            </TableRow>
                          </TableHead>
                          <TableBody>
                            {d.history.map((a, i) => (
                              <TableRow key={i}>
                                <TableCell sx={{ whiteSpace: 'nowrap' }}>{dateTime(locale, a.attempted_at)}</TableCell>
                                <TableCell>{a.error ?? a.status_code ?? '—'}</TableCell>
                                <TableCell>{a.duration_ms} ms</TableCell>
                              </TableRow>
                            ))}
                          </TableBody>
                        </Table>
                      </TableCell>
                    </TableRow>
                  )}
                  </Fragment>
                ))}
              </TableBody>
            </Table>
          </Box>
        )}
        {total > PER_PAGE && <Pagination sx={{ mt: 2 }} count={Math.ceil(total / PER_PAGE)} page={page} onChange={(_, p) => setPage(p)} />}
      </CardContent>
    </Card>
  );
}
