import { useLocaleState, useRecordContext } from 'react-admin';
import { Chip } from '@mui/material';
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
};

export function StatusField({ source }: { source: string; label?: string; sortable?: boolean }) {
  const record = useRecordContext();
  const v = record?.[source];
  if (v === undefined || v === null) return null;
  return <Chip size="small" label={String(v)} color={colours[String(v)] ?? 'default'} />;
}
