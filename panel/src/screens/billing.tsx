import { useState } from 'react';
import {
  Datagrid, List, SelectInput, Show, TextField, TextInput, TopToolbar, useLocaleState, useNotify, useRecordContext, useRefresh, useTranslate,
  Title, DeleteButton, Labeled, ReferenceField, FunctionField, SimpleList,
} from 'react-admin';
import { Box, Button, Card, CardContent, LinearProgress, Stack, Table, TableBody, TableCell, TableHead, TableRow, TextField as MuiTextField, Typography } from '@mui/material';
import { call, callAny, download } from '../api/client';
import { ConfirmButton } from '../ConfirmButton';
import { DayField, MoneyField, StatusField, useIsPhone } from '../fields';
import { installationMonth, money } from '../format';
import { useCan } from '../perms';

const statuses = ['unpaid', 'paid', 'overdue', 'cancelled'].map((id) => ({ id, name: id }));

export function InvoiceList() {
  const can = useCan();
  const [locale] = useLocaleState();
  if (useIsPhone())
    return (
      <List filters={[<SelectInput key="s" source="status" choices={statuses} alwaysOn />]} sort={{ field: 'id', order: 'DESC' }}>
        <SimpleList primaryText={(r) => r.invoice_no} secondaryText={(r) => `${r.issue_date} · ${money(locale, r.total_cents, true)}`} tertiaryText={(r) => r.status} linkType="show" />
      </List>
    );
  return (
    <List filters={[<SelectInput key="s" source="status" choices={statuses} alwaysOn />, <TextInput key="m" source="month" placeholder="2026-11" />, <TextInput key="c" source="customer_id" />]} sort={{ field: 'id', order: 'DESC' }}>
      <Datagrid rowClick="show" bulkActionButtons={false}>
        <TextField source="invoice_no" label="resources.invoices.fields.number" />
        <ReferenceField source="customer_id" reference="customers" link="show">
          <TextField source="username" />
        </ReferenceField>
        <DayField source="issue_date" />
        <DayField source="due_date" />
        <MoneyField source="total_cents" cents label="resources.invoices.fields.total" />
        <StatusField source="status" />
        {can('einvoice_status') && <TextField source="einvoice_status" label="ispgate.invoice.einvoice" emptyText="—" />}
      </Datagrid>
    </List>
  );
}

function InvoiceActions() {
  const record = useRecordContext();
  const can = useCan();
  const translate = useTranslate();
  const notify = useNotify();
  const refresh = useRefresh();
  if (!record) return <TopToolbar />;
  return (
    <TopToolbar>
      {can('invoice_pdf') && (
        <Button
          onClick={() => download('invoice_pdf', { id: record.id }, `${record.invoice_no ?? record.id}.pdf`).catch((e) => notify(e.message, { type: 'error' }))}
        >
          {translate('ispgate.invoice.pdf')}
        </Button>
      )}
      {can('pay_invoice') && record.status !== 'paid' && record.status !== 'cancelled' && (
        <ConfirmButton
          label={translate('ispgate.invoice.pay')}
          title={translate('ispgate.invoice.pay')}
          content={translate('ispgate.invoice.pay_confirm', { number: record.invoice_no })}
          onConfirm={async () => {
            try {
              await call('pay_invoice', { invoice_id: record.id, method: 'manual' });
              notify(translate('ispgate.invoice.paid'), { type: 'success' });
            } catch (e: any) {
              notify(e.message, { type: 'error' });
            }
            refresh();
          }}
        />
      )}
      {can('einvoice_submit') && !record.einvoice_mark && record.status !== 'cancelled' && (
        <ConfirmButton
          label={translate('ispgate.invoice.einvoice_submit')}
          title={translate('ispgate.invoice.einvoice_submit')}
          content={translate('ispgate.invoice.einvoice_submit_confirm', { number: record.invoice_no })}
          onConfirm={async () => {
            try {
              await call('einvoice_submit', { invoice_id: record.id });
              notify(translate('ispgate.customer.done'), { type: 'success' });
            } catch (e: any) {
              notify(e.message, { type: 'error' });
            }
            refresh();
          }}
        />
      )}
      {can('delete_invoice') && <DeleteButton mutationMode="pessimistic" />}
    </TopToolbar>
  );
}

function InvoiceBody() {
  const r = useRecordContext();
  const [locale] = useLocaleState();
  const translate = useTranslate();
  if (!r) return null;
  const m = (c: number) => money(locale, c, true);
  return (
    <Stack spacing={2}>
      <Box sx={{ display: 'flex', flexWrap: 'wrap', gap: 3 }}>
        <Labeled label="resources.invoices.fields.number"><TextField source="invoice_no" /></Labeled>
        <Labeled label="resources.invoices.fields.customer"><ReferenceField source="customer_id" reference="customers" link="show"><TextField source="username" /></ReferenceField></Labeled>
        <Labeled label="resources.invoices.fields.issue_date"><DayField source="issue_date" /></Labeled>
        <Labeled label="resources.invoices.fields.due_date"><DayField source="due_date" /></Labeled>
        <Labeled label="resources.invoices.fields.status"><StatusField source="status" /></Labeled>
        <Labeled label="ispgate.invoice.rf_code"><TextField source="rf_code" emptyText="—" /></Labeled>
        <Labeled label="ispgate.invoice.einvoice"><TextField source="einvoice_status" emptyText="—" /></Labeled>
        <Labeled label="ispgate.invoice.mark"><TextField source="einvoice_mark" emptyText="—" /></Labeled>
      </Box>
      <Typography variant="h6" component="h2">{translate('ispgate.invoice.lines')}</Typography>
      <Box sx={{ overflowX: 'auto' }}>
        <Table size="small" aria-label={translate('ispgate.invoice.lines')}>
          <TableHead>
            <TableRow>
              <TableCell>#</TableCell><TableCell>Description</TableCell><TableCell align="right">Qty</TableCell>
              <TableCell align="right">{translate('ispgate.invoice.net')}</TableCell><TableCell align="right">{translate('ispgate.invoice.vat')}</TableCell>
              <TableCell align="right">{translate('ispgate.invoice.total')}</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {(r.lines ?? []).map((l: any) => (
              <TableRow key={l.id}>
                <TableCell>{l.position}</TableCell><TableCell>{l.description}</TableCell><TableCell align="right">{l.quantity}</TableCell>
                <TableCell align="right">{m(l.net_cents)}</TableCell><TableCell align="right">{m(l.vat_cents)} ({l.vat_rate}%)</TableCell><TableCell align="right">{m(l.total_cents)}</TableCell>
              </TableRow>
            ))}
            <TableRow>
              <TableCell colSpan={3}><strong>{translate('ispgate.invoice.total')}</strong></TableCell>
              <TableCell align="right">{m(r.net_cents)}</TableCell><TableCell align="right">{m(r.vat_cents)}</TableCell><TableCell align="right"><strong>{m(r.total_cents)}</strong></TableCell>
            </TableRow>
          </TableBody>
        </Table>
      </Box>
      {(r.payments ?? []).length > 0 && (
        <Box>
          <Typography variant="h6" component="h2">Payments</Typography>
          {(r.payments as any[]).map((p) => (
            <Typography key={p.id} variant="body2">{p.paid_on} · {p.method} · {m(p.amount_cents)} {p.reference ?? ''}</Typography>
          ))}
        </Box>
      )}
    </Stack>
  );
}

export const InvoiceShow = () => (
  <Show actions={<InvoiceActions />}>
    <Box sx={{ p: 2 }}>
      <InvoiceBody />
    </Box>
  </Show>
);


/** Month generation: the job's progress from job_status; an answer without a job finishes at once. */
export function GenerateMonth() {
  const translate = useTranslate();
  const notify = useNotify();
  const [month, setMonth] = useState(installationMonth());
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [running, setRunning] = useState(false);
  const [result, setResult] = useState<string>('');
  const [jobId, setJobId] = useState<string>('');

  async function run() {
    setRunning(true);
    setResult('');
    setProgress({ done: 0, total: 0 });
    try {
      // async=1: the reply is the job id at once, and job_status feeds the progress bar.
      const r = await call('generate_invoices_month', { month, async: '1' });
      let data = r.data;
      if (data?.job_id) {
        setJobId(String(data.job_id));
        for (;;) {
          const j = (await call('job_status', { id: String(data.job_id) })).data;
          setProgress(j.progress);
          if (j.state === 'completed' || j.state === 'done' || j.state === 'succeeded') {
            data = j.result ?? data;
            break;
          }
          if (j.state === 'failed' || j.state === 'cancelled') throw new Error(j.error?.message ?? 'The job failed.');
          await new Promise((res) => setTimeout(res, 700));
        }
      }
      const total = Number(data?.total_for_month ?? data?.created ?? 0);
      setProgress({ done: total, total: total || 1 });
      setResult(translate('ispgate.invoice.finished', { created: data?.created ?? 0, existing: data?.already_existing ?? 0 }) + (data?.message ? ` ${data.message}` : ''));
    } catch (e: any) {
      notify(e.message, { type: 'error' });
      setProgress(null);
    } finally {
      setRunning(false);
    }
  }

  const pct = progress && progress.total > 0 ? Math.round((100 * progress.done) / progress.total) : undefined;
  return (
    <Card sx={{ mt: 2 }}>
      <Title title={translate('ispgate.invoice.generate_title')} />
      <CardContent>
        <Stack spacing={2} sx={{ maxWidth: 480 }}>
          <MuiTextField id="generate-month" label={translate('ispgate.invoice.month')} value={month} onChange={(e) => setMonth(e.target.value)} slotProps={{ htmlInput: { pattern: '[0-9]{4}-[0-9]{2}' } }} />
          <ConfirmButton
            label={translate('ispgate.invoice.generate')}
            title={translate('ispgate.invoice.generate')}
            content={translate('ispgate.invoice.generate_confirm', { month })}
            disabled={running || !/^\d{4}-\d{2}$/.test(month)}
            onConfirm={run}
          />
          {progress && (
            <Box>
              <Typography variant="body2" id="generate-progress-label">{running ? translate('ispgate.invoice.progress') : result}</Typography>
              <LinearProgress
                id="generate-progress"
                aria-labelledby="generate-progress-label"
                variant={pct === undefined ? 'indeterminate' : 'determinate'}
                value={pct ?? 0}
                data-done={running ? 'no' : 'yes'}
                data-job={jobId}
              />
            </Box>
          )}
        </Stack>
      </CardContent>
    </Card>
  );
}

void FunctionField;
