/** Payments received (list_payments): filters, totals over the filter, links to the invoice and the subscriber. */
import { Datagrid, FunctionField, List, SelectInput, SimpleList, TextField, TextInput, useListContext, useLocaleState, useTranslate } from 'react-admin';
import { Link as RouterLink } from 'react-router-dom';
import { Box, Link, Typography } from '@mui/material';
import { DayField, MoneyField, useIsPhone } from '../fields';
import { money } from '../format';

const methods = ['cash', 'bank_transfer', 'dias', 'manual', 'gateway', 'stripe', 'viva', 'revolut', 'paypal'].map((id) => ({ id, name: `ispgate.payment.method_${id}` }));

const filters = [
  <TextInput key="username" source="username" alwaysOn />,
  <SelectInput key="method" source="method" choices={methods} alwaysOn />,
  <TextInput key="from" source="from" type="date" slotProps={{ inputLabel: { shrink: true } }} alwaysOn />,
  <TextInput key="to" source="to" type="date" slotProps={{ inputLabel: { shrink: true } }} alwaysOn />,
  <TextInput key="invoice_no" source="invoice_no" placeholder="A-000012" />,
];

/** The sums list_payments answers in meta.totals: the whole filter, not only this page. */
function Totals() {
  const { meta, isPending } = useListContext();
  const translate = useTranslate();
  const [locale] = useLocaleState();
  const t = meta?.totals;
  if (isPending || !t) return null;
  return (
    <Box sx={{ px: 2, py: 1 }} id="payments-totals" data-count={t.count} data-amount={t.amount_cents}>
      <Typography variant="subtitle1" component="p">
        {translate('ispgate.payment.totals', { smart_count: t.count, amount: money(locale, t.amount_cents, true) })}
      </Typography>
      <Typography variant="body2" color="text.secondary" component="p">
        {Object.entries((t.by_method ?? {}) as Record<string, { count: number; amount_cents: number }>)
          .map(([m, v]) => `${translate(`ispgate.payment.method_${m}`, { _: m })}: ${money(locale, v.amount_cents, true)} (${v.count})`)
          .join(' · ')}
      </Typography>
    </Box>
  );
}

const invoiceLink = (r: any) => (
  <Link component={RouterLink} to={`/invoices/${r.invoice_id}/show`} onClick={(e) => e.stopPropagation()}>
    {r.invoice_no}
  </Link>
);

export function PaymentList() {
  const [locale] = useLocaleState();
  const translate = useTranslate();
  if (useIsPhone())
    return (
      <List filters={filters} sort={{ field: 'paid_on', order: 'DESC' }}>
        <Totals />
        <SimpleList
          primaryText={(r) => `${money(locale, r.amount_cents, true)} · ${translate(`ispgate.payment.method_${r.method}`, { _: r.method })}`}
          secondaryText={(r) => `${r.paid_on} · ${r.invoice_no}`}
          tertiaryText={(r) => r.username ?? ''}
          linkType={false}
        />
      </List>
    );
  return (
    <List filters={filters} sort={{ field: 'paid_on', order: 'DESC' }}>
      <Totals />
      <Datagrid bulkActionButtons={false} rowClick={false}>
        <DayField source="paid_on" />
        <MoneyField source="amount_cents" cents label="resources.payments.fields.amount" />
        <FunctionField source="method" render={(r: any) => translate(`ispgate.payment.method_${r.method}`, { _: r.method })} />
        <TextField source="reference" emptyText="—" />
        <FunctionField source="invoice_no" render={invoiceLink} />
        <FunctionField
          source="username"
          render={(r: any) => (
            <Link component={RouterLink} to={`/customers/${r.customer_id}/show`} onClick={(e) => e.stopPropagation()}>
              {r.username ?? r.customer_id}
            </Link>
          )}
        />
        <TextField source="fullname" emptyText="—" />
      </Datagrid>
    </List>
  );
}

/** A subscriber's payments, for the Payments tab of the subscriber page. */
export function CustomerPayments() {
  const translate = useTranslate();
  return (
    <Datagrid bulkActionButtons={false} rowClick={false} empty={<Typography color="text.secondary" sx={{ py: 1 }}>{translate('ispgate.payment.none')}</Typography>}>
      <DayField source="paid_on" />
      <MoneyField source="amount_cents" cents label="resources.payments.fields.amount" />
      <FunctionField source="method" render={(r: any) => translate(`ispgate.payment.method_${r.method}`, { _: r.method })} />
      <TextField source="reference" emptyText="—" />
      <FunctionField source="invoice_no" render={invoiceLink} />
    </Datagrid>
  );
}
