import { useLocaleState, useRecordContext, useTranslate } from 'react-admin';
import { Chip, useMediaQuery, type Theme } from '@mui/material';
import { date, dateTime, money } from './format';

export function MoneyField({ source, cents }: { source: string; cents?: boolean; label?: string; sortable?: boolean }) {
  const record = useRecordContext();
  const [locale] = useLocaleState();
  return <span>{money(locale, record?.[source], cents)}</span>;
}

export function DateTimeField({ source }: { source: string; label?: string; sortable?: boolean }) {
  const record = useRecordContext();
  const [locale] = useLocaleState();
  return <span>{dateTime(locale, record?.[source])}</span>;
}

export function DayField({ source }: { source: string; label?: string; sortable?: boolean }) {
  const record = useRecordContext();
  const [locale] = useLocaleState();
  return <span>{date(locale, record?.[source])}</span>;
}

const colours: Record<string, 'success' | 'warning' | 'error' | 'default' | 'info'> = {
  active: 'success', online: 'success', paid: 'success', up: 'success', open: 'info', closed: 'default',
  suspended: 'warning', unpaid: 'warning', pending: 'warning', overdue: 'error', offline: 'error', down: 'error', cancelled: 'default',
  delivered: 'success', sending: 'info', dead: 'error',
};

export function StatusField({ source }: { source: string; label?: string; sortable?: boolean }) {
  const record = useRecordContext();
  const translate = useTranslate();
  const v = record?.[source];
  if (v === undefined || v === null) return null;
  return <Chip size="small" label={translate(`ispgate.status.${v}`, { _: String(v) })} data-status={String(v)} color={colours[String(v)] ?? 'default'} />;
}

/** Phones (the NOC on call) get one-line cards instead of a wide table. */
export function useIsPhone(): boolean {
  return useMediaQuery((theme: Theme) => theme.breakpoints.down('sm'));
}
