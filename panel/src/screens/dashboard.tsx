import { useEffect, useState } from 'react';
import { Title, useLocaleState, useTranslate } from 'react-admin';
import { Box, Card, CardContent, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { callAny } from '../api/client';
import { dateTime, installationMonth, money, number } from '../format';
import { useCan } from '../perms';

interface Tile {
  key: string;
  label: string;
  value: string;
}

/** The day at a glance: each tile is one or two API reads the admin may make; tiles they may not are absent. */
export function Dashboard() {
  const translate = useTranslate();
  const [locale] = useLocaleState();
  const can = useCan();
  const [tiles, setTiles] = useState<Tile[]>([]);

  useEffect(() => {
    let live = true;
    const out: Tile[] = [];
    const total = async (action: string, params: Record<string, unknown>) => (await callAny(action, { ...params, per_page: 1 })).meta?.total ?? 0;
    const month = installationMonth();
    const jobs: Promise<void>[] = [];
    const add = (key: string, label: string, f: () => Promise<string>) =>
      jobs.push(f().then((value) => void out.push({ key, label: translate(label), value }), () => undefined));
    if (can('list_customers')) {
      add('active', 'ispgate.dashboard.active', async () => number(locale, await total('list_customers', { status: 'active' })));
      add('suspended', 'ispgate.dashboard.suspended', async () => number(locale, await total('list_customers', { status: 'suspended' })));
    }
    if (can('radius_sessions')) add('online', 'ispgate.dashboard.online', async () => number(locale, await total('radius_sessions', {})));
    if (can('list_invoices')) {
      const sum = async (params: Record<string, unknown>, field: string) => {
        let cents = 0;
        for (let page = 1; page <= 20; page++) {
          const r = await callAny('list_invoices', { ...params, page, per_page: 100 });
          for (const i of r.data ?? []) cents += Number(i[field] ?? 0);
          if (!r.meta || page >= r.meta.last_page) break;
        }
        return money(locale, cents, true);
      };
      add('invoiced', 'ispgate.dashboard.invoiced', () => sum({ month }, 'total_cents'));
      add('collected', 'ispgate.dashboard.collected', () => sum({ month }, 'paid_cents'));
      add('overdue', 'ispgate.dashboard.overdue', () => sum({ status: 'overdue' }, 'balance_cents'));
    }
    if (can('list_routers_ui')) {
      jobs.push(
        callAny('get_routers').then(
          (r) => {
            const rows = (r.data ?? []) as any[];
            out.push({ key: 'up', label: translate('ispgate.dashboard.routers_up'), value: number(locale, rows.filter((x) => x.status === 'online').length) });
            out.push({ key: 'down', label: translate('ispgate.dashboard.routers_down'), value: number(locale, rows.filter((x) => x.status !== 'online').length) });
          },
          () => undefined,
        ),
      );
    }
    if (can('list_tickets')) add('tickets', 'ispgate.dashboard.open_tickets', async () => number(locale, await total('list_tickets', { status: 'open' })));
    const order = ['active', 'suspended', 'online', 'invoiced', 'collected', 'overdue', 'up', 'down', 'tickets'];
    void Promise.all(jobs).then(() => live && setTiles([...out].sort((a, b) => order.indexOf(a.key) - order.indexOf(b.key))));
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [locale]);

  return (
    <Box sx={{ mt: 2 }}>
      <Title title={translate('ispgate.dashboard.title')} />
      <Typography variant="h5" component="h1" sx={{ mb: 2 }}>{translate('ispgate.dashboard.title')}</Typography>
      <Box sx={{ display: 'grid', gap: 2, gridTemplateColumns: 'repeat(auto-fill, minmax(180px, 1fr))' }} id="dashboard-tiles">
        {tiles.map((t) => (
          <Card key={t.key} data-tile={t.key}>
            <CardContent>
              <Typography variant="body2" color="text.secondary" component="h2">{t.label}</Typography>
              <Typography variant="h5" component="p">{t.value}</Typography>
            </CardContent>
          </Card>
        ))}
      </Box>
      {can('list_events') && <RecentEvents />}
    </Box>
  );
}

interface EventRow {
  id: number;
  event: string;
  data: Record<string, any> | null;
  created_at: string;
}

/** What a person recognises an event by: the invoice number, the subscriber, the ticket's subject … */
function eventSubject(e: EventRow): string {
  const d = e.data ?? {};
  const router = e.event.startsWith('router.') && d.router_id != null && !d.name ? `router ${d.router_id}` : undefined;
  const invoice = d.invoice_id != null && !d.invoice_no ? `invoice ${d.invoice_id}` : undefined;
  const parts = [d.invoice_no, invoice, d.username, d.subject, d.name, router];
  return parts.filter((x) => x !== undefined && x !== null && x !== '').map(String).join(' · ') || '—';
}

/** The latest domain events the admin may see (list_events answers only the sections they may read). */
function RecentEvents() {
  const translate = useTranslate();
  const [locale] = useLocaleState();
  const [rows, setRows] = useState<EventRow[] | null>(null);
  useEffect(() => {
    let live = true;
    callAny('list_events', { per_page: 10 }).then(
      (r) => live && setRows(r.data ?? []),
      () => live && setRows([]),
    );
    return () => {
      live = false;
    };
  }, []);
  return (
    <Card sx={{ mt: 3 }} id="dashboard-events" data-loaded={rows ? 'yes' : 'no'}>
      <CardContent>
        <Typography variant="h6" component="h2" sx={{ mb: 1 }}>{translate('ispgate.dashboard.events')}</Typography>
        {rows && rows.length === 0 && <Typography color="text.secondary">{translate('ispgate.dashboard.no_events')}</Typography>}
        {rows && rows.length > 0 && (
          <Box sx={{ overflowX: 'auto' }}>
            <Table size="small" aria-label={translate('ispgate.dashboard.events')}>
              <TableHead>
                <TableRow>
                  <TableCell>{translate('ispgate.dashboard.event_at')}</TableCell>
                  <TableCell>{translate('ispgate.dashboard.event')}</TableCell>
                  <TableCell>{translate('ispgate.dashboard.event_subject')}</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {rows.map((e) => (
                  <TableRow key={e.id} data-event={e.event}>
                    <TableCell sx={{ whiteSpace: 'nowrap' }}>{dateTime(locale, e.created_at)}</TableCell>
                    <TableCell>{translate(`ispgate.events.${e.event.replace('.', '_')}`, { _: e.event })}</TableCell>
                    <TableCell>{eventSubject(e)}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </Box>
        )}
      </CardContent>
    </Card>
  );
}
