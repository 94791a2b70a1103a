import {
  BulkDeleteButton, Create, Datagrid, DeleteButton, Edit, EditButton, FunctionField, List, Pagination, ReferenceManyField, SearchInput,
  SelectInput, Show, SimpleForm, SimpleShowLayout, TabbedShowLayout, TextField, TextInput, PasswordInput, required, useListContext,
  useNotify, useRecordContext, useRefresh, useTranslate, useUnselectAll, TopToolbar, ReferenceInput, AutocompleteInput, Labeled, SimpleList,
} from 'react-admin';
import { useEffect, useState } from 'react';
import { Box, Button as MuiButton, Stack, TextField as MuiTextField, Typography } from '@mui/material';
import { call, callAny, download, fieldsOf } from '../api/client';

const cust = fieldsOf('add');
const custEdit = fieldsOf('edit');
import { ConfirmButton } from '../ConfirmButton';
import { DateTimeField, MoneyField, StatusField, DayField, useIsPhone } from '../fields';
import { useCan } from '../perms';
import { CustomerPayments } from './payments';

function useApiNotify() {
  const notify = useNotify();
  const translate = useTranslate();
  return (e: any) => notify(e?.code === 'forbidden' ? translate('ispgate.common.forbidden', { message: e.message }) : e?.message ?? String(e), { type: 'error' });
}

const filters = [
  <SearchInput key="q" source="q" alwaysOn />,
  <SelectInput key="status" source="status" choices={[{ id: 'active', name: 'active' }, { id: 'suspended', name: 'suspended' }]} />,
  <TextInput key="plan" source="plan" />,
  <TextInput key="router" source="router" />,
];

function BulkSuspend() {
  const { selectedIds, data } = useListContext();
  const translate = useTranslate();
  const notify = useNotify();
  const fail = useApiNotify();
  const refresh = useRefresh();
  const unselect = useUnselectAll('customers');
  return (
    <ConfirmButton
      label={translate('ispgate.customer.bulk_suspend')}
      title={translate('ispgate.customer.bulk_suspend')}
      content={translate('ispgate.customer.bulk_suspend_confirm', { smart_count: selectedIds.length })}
      color="warning"
      onConfirm={async () => {
        try {
          for (const id of selectedIds) await call('toggle_status', { id, status: 'suspended' });
          notify(translate('ispgate.customer.suspended'));
        } catch (e) {
          fail(e);
        }
        void data;
        unselect();
        refresh();
      }}
    />
  );
}

function BulkNotify() {
  const { selectedIds, data } = useListContext();
  const translate = useTranslate();
  const notify = useNotify();
  const fail = useApiNotify();
  const [text, setText] = useState('');
  const usernames = (data ?? []).filter((r: any) => selectedIds.includes(r.id)).map((r: any) => r.username);
  return (
    <>
      <MuiTextField size="small" id="bulk-notify-text" label={translate('ispgate.notify.text')} value={text} onChange={(e) => setText(e.target.value)} sx={{ mx: 1 }} />
      <ConfirmButton
        label={translate('ispgate.customer.bulk_notify')}
        title={translate('ispgate.customer.bulk_notify')}
        content={translate('ispgate.customer.bulk_notify_confirm', { smart_count: usernames.length })}
        disabled={!text.trim()}
        onConfirm={async () => {
          try {
            await call('send_notification', { usernames, text, channel: 'all' });
            notify(translate('ispgate.notify.queued'), { type: 'success' });
            setText('');
          } catch (e) {
            fail(e);
          }
        }}
      />
    </>
  );
}

export function CustomerList() {
  const can = useCan();
  const phone = useIsPhone();
  return (
    <List filters={filters} sort={{ field: 'id', order: 'DESC' }} perPage={25}>
      {phone ? (
        <SimpleList primaryText={(r) => r.fullname || r.username} secondaryText={(r) => `${r.username} · ${r.plan ?? '—'}`} tertiaryText={(r) => r.status} linkType="show" />
      ) : (
      <Datagrid rowClick="show" bulkActionButtons={can('toggle_status') || can('delete') ? <>{can('send_notification') && <BulkNotify />}{can('toggle_status') && <BulkSuspend />}{can('delete') && <BulkDeleteButton mutationMode="pessimistic" />}</> : false}>
        <TextField source="id" />
        <TextField source="username" />
        <TextField source="fullname" />
        <TextField source="plan" />
        <StatusField source="status" />
        <TextField source="router" emptyText="—" />
        <DateTimeField source="created_at" />
      </Datagrid>
      )}
    </List>
  );
}

function CustomerFields({ create }: { create?: boolean }) {
  return (
    <>
      <TextInput source={cust('username') && custEdit('username')} validate={create ? required() : undefined} autoComplete="off" />
      {create ? <PasswordInput source={cust('password') && custEdit('password')} validate={required()} autoComplete="new-password" /> : <PasswordInput source={cust('password') && custEdit('password')} autoComplete="new-password" />}
      <TextInput source={cust('fullname') && custEdit('fullname')} />
      <TextInput source={cust('email') && custEdit('email')} type="email" />
      <TextInput source={cust('phone') && custEdit('phone')} />
      <TextInput source={cust('address') && custEdit('address')} multiline />
      <TextInput source={cust('afm') && custEdit('afm')} />
      <ReferenceInput source={cust('plan_id') && custEdit('plan_id')} reference="plans">
        <AutocompleteInput optionText="name" label="resources.customers.fields.plan" />
      </ReferenceInput>
      <ReferenceInput source={cust('router') && custEdit('router')} reference="routers">
        <AutocompleteInput optionText="name" optionValue="name" label="resources.customers.fields.router" />
      </ReferenceInput>
      <TextInput source={cust('static_ip') && custEdit('static_ip')} />
      <TextInput source={cust('mac_address') && custEdit('mac_address')} />
    </>
  );
}

export const CustomerCreate = () => (
  <Create redirect="show" mutationMode="pessimistic">
    <SimpleForm>
      <CustomerFields create />
    </SimpleForm>
  </Create>
);

export const CustomerEdit = () => (
  <Edit redirect="show" mutationMode="pessimistic">
    <SimpleForm>
      <CustomerFields />
    </SimpleForm>
  </Edit>
);

function SuspendButtons() {
  const record = useRecordContext();
  const translate = useTranslate();
  const notify = useNotify();
  const fail = useApiNotify();
  const refresh = useRefresh();
  const can = useCan();
  if (!record || !can('toggle_status')) return null;
  const suspended = record.status === 'suspended';
  const name = record.fullname || record.username;
  return (
    <ConfirmButton
      label={translate(suspended ? 'ispgate.customer.unsuspend' : 'ispgate.customer.suspend')}
      title={translate(suspended ? 'ispgate.customer.unsuspend' : 'ispgate.customer.suspend')}
      content={translate(suspended ? 'ispgate.customer.unsuspend_confirm' : 'ispgate.customer.suspend_confirm', { name })}
      color={suspended ? 'primary' : 'warning'}
      onConfirm={async () => {
        try {
          await call('toggle_status', { id: record.id, status: suspended ? 'active' : 'suspended' });
          notify(translate(suspended ? 'ispgate.customer.unsuspended' : 'ispgate.customer.suspended'), { type: 'success' });
        } catch (e) {
          fail(e);
        }
        refresh();
      }}
    />
  );
}

function SessionButtons() {
  const record = useRecordContext();
  const translate = useTranslate();
  const notify = useNotify();
  const fail = useApiNotify();
  const refresh = useRefresh();
  const can = useCan();
  if (!record) return null;
  const name = record.fullname || record.username;
  const run = (action: string) => async () => {
    try {
      const r = await callAny(action, { username: record.username });
      notify(`${translate('ispgate.customer.done')}: ${JSON.stringify(r.data).slice(0, 200)}`, { type: 'info' });
    } catch (e) {
      fail(e);
    }
    refresh();
  };
  return (
    <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap', my: 1 }}>
      {can('radius_disconnect') && <ConfirmButton label={translate('ispgate.customer.disconnect')} title={translate('ispgate.customer.disconnect')} content={translate('ispgate.customer.disconnect_confirm', { name })} color="warning" onConfirm={run('radius_disconnect')} />}
      {can('radius_coa') && <ConfirmButton label={translate('ispgate.customer.coa')} title={translate('ispgate.customer.coa')} content={`${translate('ispgate.customer.coa')}: ${record.username}`} onConfirm={run('radius_coa')} />}
      {can('radius_test') && <ConfirmButton label={translate('ispgate.customer.radius_test')} title={translate('ispgate.customer.radius_test')} content={`${translate('ispgate.customer.radius_test')}: ${record.username}`} onConfirm={run('radius_test')} />}
    </Box>
  );
}

function ShowActions() {
  const can = useCan();
  return (
    <TopToolbar>
      <SuspendButtons />
      {can('edit') && <EditButton />}
      {can('delete') && <DeleteButton mutationMode="pessimistic" />}
    </TopToolbar>
  );
}

function Title() {
  const record = useRecordContext();
  return <span>{record ? `${record.fullname || record.username} (${record.username})` : ''}</span>;
}

export function CustomerShow() {
  const can = useCan();
  const translate = useTranslate();
  return (
    <Show actions={<ShowActions />} title={<Title />}>
      <TabbedShowLayout>
        <TabbedShowLayout.Tab label={translate('ispgate.customer.details')}>
          <TextField source="username" />
          <TextField source="fullname" emptyText="—" />
          <StatusField source="status" />
          <TextField source="plan" emptyText="—" />
          <TextField source="rate_limit" label="resources.plans.fields.rate_limit" emptyText="—" />
          <TextField source="router" emptyText="—" />
          <TextField source="email" emptyText="—" />
          <TextField source="phone" emptyText="—" />
          <TextField source="address" emptyText="—" />
          <TextField source="afm" emptyText="—" />
          <TextField source="static_ip" emptyText="—" />
          <TextField source="mac_address" emptyText="—" />
          <DateTimeField source="created_at" />
        </TabbedShowLayout.Tab>
        {can('radius_sessions') && (
          <TabbedShowLayout.Tab label={translate('ispgate.customer.sessions')} path="sessions">
            <SessionButtons />
            <ReferenceManyField reference="sessions" target="username" source="username" pagination={<Pagination />}>
              <Datagrid bulkActionButtons={false} rowClick={false}>
                <TextField source="username" />
                <FunctionField label="resources.sessions.fields.framed_ip" render={(r: any) => r.framed_ip ?? r.framedipaddress ?? r.ip ?? '—'} />
                <FunctionField label="resources.sessions.fields.nas_ip" render={(r: any) => r.nas_ip ?? r.nasipaddress ?? '—'} />
                <FunctionField label="resources.sessions.fields.started_at" render={(r: any) => r.started_at ?? r.acctstarttime ?? '—'} />
              </Datagrid>
            </ReferenceManyField>
          </TabbedShowLayout.Tab>
        )}
        {can('list_invoices') && (
          <TabbedShowLayout.Tab label={translate('ispgate.customer.invoices')} path="invoices">
            <ReferenceManyField reference="invoices" target="customer_id" pagination={<Pagination />}>
              <Datagrid bulkActionButtons={false} rowClick="show">
                <TextField source="number" />
                <DayField source="issue_date" />
                <DayField source="due_date" />
                <MoneyField source="total" />
                <StatusField source="status" />
              </Datagrid>
            </ReferenceManyField>
          </TabbedShowLayout.Tab>
        )}
        {can('list_tickets') && (
          <TabbedShowLayout.Tab label={translate('ispgate.customer.tickets')} path="tickets">
            <ReferenceManyField reference="tickets" target="username" source="username" pagination={<Pagination />}>
              <Datagrid bulkActionButtons={false} rowClick="show">
                <TextField source="id" />
                <TextField source="subject" />
                <StatusField source="status" />
                <TextField source="priority" />
              </Datagrid>
            </ReferenceManyField>
          </TabbedShowLayout.Tab>
        )}
        {(can('customer_bulk_pay') || can('list_payments')) && (
          <TabbedShowLayout.Tab label={translate('ispgate.customer.payments')} path="payments">
            {can('list_payments') && (
              <ReferenceManyField reference="payments" target="customer_id" pagination={<Pagination />} sort={{ field: 'paid_on', order: 'DESC' }}>
                <CustomerPayments />
              </ReferenceManyField>
            )}
            {can('customer_bulk_pay') && <BulkPay />}
          </TabbedShowLayout.Tab>
        )}
        {can('wireguard_list') && (
          <TabbedShowLayout.Tab label={translate('ispgate.customer.wireguard')} path="wireguard">
            <WireguardPanel />
          </TabbedShowLayout.Tab>
        )}
        {can('mor_balance') && (
          <TabbedShowLayout.Tab label={translate('ispgate.customer.voip')} path="voip">
            <VoipPanel />
          </TabbedShowLayout.Tab>
        )}
      </TabbedShowLayout>
    </Show>
  );
}

function BulkPay() {
  const record = useRecordContext();
  const translate = useTranslate();
  const notify = useNotify();
  const fail = useApiNotify();
  const refresh = useRefresh();
  const [amount, setAmount] = useState('');
  if (!record) return null;
  return (
    <Stack spacing={1} sx={{ maxWidth: 420, my: 1 }}>
      <Typography variant="body2">{translate('ispgate.customer.bulk_pay_help')}</Typography>
      <MuiTextField id="bulk-pay-amount" size="small" label={translate('ispgate.customer.amount')} value={amount} onChange={(e) => setAmount(e.target.value)} />
      <ConfirmButton
        label={translate('ispgate.customer.bulk_pay')}
        title={translate('ispgate.customer.bulk_pay')}
        content={translate('ispgate.customer.bulk_pay_confirm', { amount: amount || '—', name: record.fullname || record.username })}
        disabled={!amount}
        onConfirm={async () => {
          try {
            await call('customer_bulk_pay', { customer_id: record.id, amount, method: 'cash', idempotency_key: crypto.randomUUID() });
            notify(translate('ispgate.invoice.paid'), { type: 'success' });
            setAmount('');
          } catch (e) {
            fail(e);
          }
          refresh();
        }}
      />
    </Stack>
  );
}

function WireguardPanel() {
  const record = useRecordContext();
  const translate = useTranslate();
  const fail = useApiNotify();
  const [rows, setRows] = useState<any[]>([]);
  const [qr, setQr] = useState<{ name: string; src: string } | null>(null);
  useEffect(() => {
    if (record) callAny('wireguard_list', { username: record.username }).then((r) => setRows(Array.isArray(r.data) ? r.data : (r.data?.items ?? [])), fail);
  }, [record?.id]);
  if (!record) return null;
  return (
    <Stack spacing={1} sx={{ my: 1 }}>
      {rows.length === 0 && <Typography variant="body2">—</Typography>}
      {rows.map((w) => (
        <Box key={w.id} sx={{ display: 'flex', gap: 2, alignItems: 'center', flexWrap: 'wrap' }}>
          <span>{w.name} · {w.address} · {w.endpoint}</span>
          <MuiButton size="small" onClick={() => download('wireguard_config', { id: w.id }, `${w.name || 'wg'}.conf`).catch(fail)}>{translate('ispgate.customer.wg_config')}</MuiButton>
          <MuiButton size="small" onClick={() => callAny('wireguard_config', { id: w.id }).then((r) => setQr({ name: w.name, src: r.data.qr_code }), fail)}>QR</MuiButton>
        </Box>
      ))}
      {qr && <img src={qr.src} alt={`WireGuard ${qr.name}`} width={220} height={220} />}
    </Stack>
  );
}

function VoipPanel() {
  const record = useRecordContext();
  const translate = useTranslate();
  const notify = useNotify();
  const fail = useApiNotify();
  const can = useCan();
  const [balance, setBalance] = useState<any>(null);
  const [cdr, setCdr] = useState<any[]>([]);
  const [amount, setAmount] = useState('');
  const load = () => {
    if (!record) return;
    callAny('mor_balance', { username: record.username }).then((r) => setBalance(r.data), fail);
    if (can('mor_cdr')) callAny('mor_cdr', { username: record.username, per_page: 20 }).then((r) => setCdr(Array.isArray(r.data) ? r.data : (r.data?.calls ?? r.data?.items ?? [])), () => undefined);
  };
  useEffect(load, [record?.id]);
  if (!record) return null;
  return (
    <Stack spacing={1} sx={{ my: 1 }}>
      <Typography>{translate('ispgate.customer.balance')}: <strong>{balance ? `${balance.balance ?? '—'} ${balance.currency ?? ''}` : '—'}</strong></Typography>
      {can('mor_topup') && (
        <Box sx={{ display: 'flex', gap: 1, alignItems: 'center' }}>
          <MuiTextField id="voip-topup" size="small" label={translate('ispgate.customer.amount')} value={amount} onChange={(e) => setAmount(e.target.value)} />
          <ConfirmButton
            label={translate('ispgate.customer.topup')}
            title={translate('ispgate.customer.topup')}
            content={translate('ispgate.customer.topup_confirm', { amount: amount || '—', name: record.username })}
            disabled={!amount}
            onConfirm={async () => {
              try {
                await callAny('mor_topup', { username: record.username, amount, idempotency_key: crypto.randomUUID() });
                notify(translate('ispgate.customer.done'), { type: 'success' });
                setAmount('');
                load();
              } catch (e) {
                fail(e);
              }
            }}
          />
        </Box>
      )}
      {cdr.length > 0 && (
        <Box component="table" sx={{ fontSize: 13, '& td, & th': { pr: 2, textAlign: 'left' } }}>
          <thead><tr><th>{translate('ispgate.customer.call_date')}</th><th>{translate('ispgate.customer.destination')}</th><th>{translate('ispgate.customer.duration')}</th><th>{translate('ispgate.customer.price')}</th></tr></thead>
          <tbody>
            {cdr.map((c, i) => (
              <tr key={c.id ?? i}><td>{c.calldate ?? c.date ?? c.started_at}</td><td>{c.dst ?? c.destination}</td><td>{c.billsec ?? c.duration}</td><td>{c.user_price ?? c.price}</td></tr>
            ))}
          </tbody>
        </Box>
      )}
    </Stack>
  );
}

void SimpleShowLayout;
void MoneyField;
