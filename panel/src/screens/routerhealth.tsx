/**
 * A router's health from router_health (RouterOS API, or SNMP when the API does not answer): CPU, memory,
 * temperature, voltage, uptime, version, board and which source answered, with a refresh button. A router that
 * answered neither way shows each source's error, not a broken screen.
 */
import { useCallback, useEffect, useState } from 'react';
import { useLocaleState, useRecordContext, useTranslate } from 'react-admin';
import { Alert, Box, Button, CircularProgress, Stack, Table, TableBody, TableCell, TableRow, Typography } from '@mui/material';
import { callAny } from '../api/client';
import { number } from '../format';

interface Health {
  router_id: number;
  name: string;
  source: 'routeros_api' | 'snmp' | null;
  cpu_load_percent?: number | null;
  memory_total_bytes?: number | null;
  memory_free_bytes?: number | null;
  temperature_c?: number | null;
  voltage_v?: number | null;
  uptime?: string | null;
  uptime_s?: number | null;
  version?: string | null;
  board_name?: string | null;
  errors: Array<{ source: string; code: string; message: string }>;
}

const MiB = 1024 * 1024;

function uptimeText(s: number | null | undefined, raw: string | null | undefined): string {
  if (s == null) return raw ?? '—';
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${d ? `${d}d ` : ''}${h}h ${m}m`;
}

/** The health card of one router (the record in context): a row's expand panel and the router's edit page. */
export function RouterHealth() {
  const r = useRecordContext();
  const translate = useTranslate();
  const [locale] = useLocaleState();
  const [health, setHealth] = useState<Health | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const id = r?.id;

  const load = useCallback(async () => {
    if (id == null) return;
    setBusy(true);
    setError('');
    try {
      const data = (await callAny('router_health', { router: String(id) })).data as Health[];
      setHealth(data[0] ?? null);
    } catch (e: any) {
      setHealth(null);
      setError(e.message);
    } finally {
      setBusy(false);
    }
  }, [id]);

  useEffect(() => {
    void load();
  }, [load]);

  if (id == null) return null;
  const t = (k: string, o?: any) => translate(`ispgate.router_health.${k}`, o);
  const pct = (v: number | null | undefined, unit = '%') => (v == null ? '—' : `${number(locale, v)}${unit}`);
  const mem = (h: Health) => {
    if (h.memory_total_bytes == null) return '—';
    const used = h.memory_free_bytes == null ? null : h.memory_total_bytes - h.memory_free_bytes;
    const total = `${number(locale, Math.round(h.memory_total_bytes / MiB))} MiB`;
    return used == null ? total : `${number(locale, Math.round(used / MiB))} / ${total} (${Math.round((100 * used) / h.memory_total_bytes)}%)`;
  };
  const headingId = `router-health-title-${id}`;
  return (
    <Box component="section" aria-labelledby={headingId} data-router-health={id} data-state={busy ? 'loading' : error || !health?.source ? 'error' : 'ok'} sx={{ p: 1, maxWidth: 640 }}>
      <Stack direction="row" spacing={2} sx={{ alignItems: 'center', mb: 1 }}>
        <Typography variant="subtitle1" component="h2" id={headingId}>
          {t('title')}
        </Typography>
        <Button size="small" onClick={() => void load()} disabled={busy} aria-label={t('refresh_of', { name: r?.name ?? id })}>
          {t('refresh')}
        </Button>
        {busy && <CircularProgress size={18} aria-label={t('loading')} />}
      </Stack>
      {error && <Alert severity="error">{error}</Alert>}
      {health && health.source && (
        <Table size="small" aria-labelledby={headingId}>
          <TableBody>
            {([
              ['source', t(`source_${health.source}`)],
              ['cpu', pct(health.cpu_load_percent)],
              ['memory', mem(health)],
              ['temperature', pct(health.temperature_c, ' °C')],
              ['voltage', pct(health.voltage_v, ' V')],
              ['uptime', uptimeText(health.uptime_s, health.uptime)],
              ['version', health.version ?? '—'],
              ['board', health.board_name ?? '—'],
            ] as Array<[string, string]>).map(([k, v]) => (
              <TableRow key={k}>
                <TableCell component="th" scope="row">{t(k)}</TableCell>
                <TableCell data-field={k}>{v}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      {health && !health.source && <Alert severity="warning">{t('no_answer')}</Alert>}
      {health?.errors.map((e) => (
        <Alert key={e.source} severity={health.source ? 'info' : 'error'} sx={{ mt: 1 }} data-error={e.code}>
          {t(`source_${e.source}`, { _: e.source })}: {e.message}
        </Alert>
      ))}
    </Box>
  );
}
