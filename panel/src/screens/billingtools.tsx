/** Billing tools: a manual invoice, a DIAS file upload, the ERP sync status. */
import { useState } from 'react';
import { Title, useNotify, useTranslate, useRedirect, ReferenceInput, AutocompleteInput, Form } from 'react-admin';
import { Box, Button, Card, CardContent, Stack, TextField, Typography } from '@mui/material';
import { callAny } from '../api/client';
import { ConfirmButton } from '../ConfirmButton';
import { useCan } from '../perms';

interface Line { description: string; quantity: string; unit_price: string; vat_rate: string }

export function ManualInvoice() {
  const translate = useTranslate();
  const notify = useNotify();
  const redirect = useRedirect();
  const [lines, setLines] = useState<Line[]>([{ description: '', quantity: '1', unit_price: '', vat_rate: '' }]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const set = (i: number, k: keyof Line, v: string) => setLines(lines.map((l, j) => (j === i ? { ...l, [k]: v } : l)));
  return (
    <Card sx={{ mt: 2 }}>
      <Title title={translate('ispgate.billing.manual')} />
      <CardContent>
        <Form
          onSubmit={async (data: any) => {
            try {
              const r = await callAny('create_invoice_manual', { customer_id: data.customer_id, lines: lines.map((l) => ({ ...l, vat_rate: l.vat_rate || undefined })) });
              notify('ra.notification.created', { messageArgs: { smart_count: 1 }, type: 'success' });
              redirect('show', 'invoices', r.data.id);
            } catch (e: any) {
              setErrors(e.details ?? {});
              notify(e.message, { type: 'error' });
            }
          }}
        >
          <Stack spacing={2}>
            <ReferenceInput source="customer_id" reference="customers">
              <AutocompleteInput optionText={(r: any) => `${r.fullname ?? ''} (${r.username})`} label="resources.invoices.fields.customer" />
            </ReferenceInput>
            {lines.map((l, i) => (
              <Box key={i} sx={{ display: 'grid', gap: 1, gridTemplateColumns: { xs: '1fr', sm: '3fr 1fr 1fr 1fr' } }}>
                <TextField id={`line-${i}-description`} label={translate('ispgate.billing.description')} value={l.description} onChange={(e) => set(i, 'description', e.target.value)} error={!!errors[`lines.${i}.description`]} helperText={errors[`lines.${i}.description`]} />
                <TextField id={`line-${i}-quantity`} label={translate('ispgate.billing.quantity')} value={l.quantity} onChange={(e) => set(i, 'quantity', e.target.value)} />
                <TextField id={`line-${i}-price`} label={translate('ispgate.billing.unit_price')} value={l.unit_price} onChange={(e) => set(i, 'unit_price', e.target.value)} error={!!errors[`lines.${i}.unit_price`]} helperText={errors[`lines.${i}.unit_price`]} />
                <TextField id={`line-${i}-vat`} label={translate('ispgate.invoice.vat')} value={l.vat_rate} onChange={(e) => set(i, 'vat_rate', e.target.value)} placeholder="24" />
              </Box>
            ))}
            <Box sx={{ display: 'flex', gap: 1 }}>
              <Button onClick={() => setLines([...lines, { description: '', quantity: '1', unit_price: '', vat_rate: '' }])}>{translate('ispgate.billing.add_line')}</Button>
              <Button type="submit" variant="contained">{translate('ra.action.create')}</Button>
            </Box>
          </Stack>
        </Form>
      </CardContent>
    </Card>
  );
}

export function BillingTools() {
  const translate = useTranslate();
  const notify = useNotify();
  const can = useCan();
  const [dias, setDias] = useState<File | null>(null);
  const [result, setResult] = useState('');
  const [erp, setErp] = useState('');
  return (
    <Card sx={{ mt: 2 }}>
      <Title title={translate('ispgate.billing.tools')} />
      <CardContent>
        <Stack spacing={3} sx={{ maxWidth: 640 }}>
          {can('dias_import') && (
            <Box>
              <Typography variant="h6" component="h2">DIAS</Typography>
              <label htmlFor="dias-file">{translate('ispgate.billing.dias_file')} <input id="dias-file" type="file" accept=".txt,.csv,.dat,text/plain" onChange={(e) => setDias(e.target.files?.[0] ?? null)} /></label>
              <ConfirmButton
                label={translate('ispgate.billing.dias_import')}
                title={translate('ispgate.billing.dias_import')}
                content={translate('ispgate.billing.dias_confirm', { name: dias?.name ?? '' })}
                disabled={!dias}
                onConfirm={async () => {
                  try {
                    const r = await callAny('dias_import', { content: await dias!.text() });
                    setResult(JSON.stringify(r.data, null, 2));
                  } catch (e: any) {
                    notify(e.message, { type: 'error' });
                  }
                }}
              />
              {result && <Box component="pre" sx={{ fontSize: 12, overflow: 'auto', maxHeight: 240 }}>{result}</Box>}
            </Box>
          )}
          {can('erp_status') && (
            <Box>
              <Typography variant="h6" component="h2">ERP</Typography>
              <Button onClick={() => callAny('erp_status').then((r) => setErp(JSON.stringify(r.data, null, 2)), (e) => notify(e.message, { type: 'error' }))}>{translate('ispgate.billing.erp_status')}</Button>
              {can('erp_sync') && (
                <ConfirmButton label={translate('ispgate.billing.erp_sync')} title={translate('ispgate.billing.erp_sync')} content={translate('ispgate.billing.erp_sync_confirm')} onConfirm={() => callAny('erp_sync').then((r) => setErp(JSON.stringify(r.data, null, 2)), (e) => notify(e.message, { type: 'error' }))} />
              )}
              {erp && <Box component="pre" sx={{ fontSize: 12, overflow: 'auto', maxHeight: 240 }}>{erp}</Box>}
            </Box>
          )}
        </Stack>
      </CardContent>
    </Card>
  );
}
