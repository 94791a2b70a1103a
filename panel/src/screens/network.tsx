import {
  BooleanInput, Create, Datagrid, DeleteButton, Edit, EditButton, List, NumberField, NumberInput, PasswordInput, SelectInput, SimpleForm,
  TextField, TextInput, required, BooleanField, FunctionField, SearchInput, SimpleList,
} from 'react-admin';
import { DateTimeField, MoneyField, StatusField, useIsPhone } from '../fields';
import { useCan } from '../perms';
import { fieldsOf } from '../api/client';
import { RouterHealth } from './routerhealth';

const plan = fieldsOf('add_plan');
const planEdit = fieldsOf('edit_plan');
const router = fieldsOf('add_router');
const routerEdit = fieldsOf('edit_router');


const rate = (v: string) => (v && !/^\d+(\.\d+)?[kKmMgG]?$/.test(String(v)) ? 'e.g. 100M, 512k' : undefined);

export function PlanList() {
  const can = useCan();
  if (useIsPhone())
    return (
      <List sort={{ field: 'name', order: 'ASC' }} filters={[<SearchInput key="q" source="q" alwaysOn />]}>
        <SimpleList primaryText={(r) => r.name} secondaryText={(r) => `${r.download}/${r.upload} · ${r.price ?? ''}`} linkType={can('edit_plan') ? 'edit' : false} />
      </List>
    );
  return (
    <List sort={{ field: 'name', order: 'ASC' }} filters={[<SearchInput key="q" source="q" alwaysOn />]}>
      <Datagrid rowClick={can('edit_plan') ? 'edit' : false} bulkActionButtons={false}>
        <TextField source="name" />
        <TextField source="download" />
        <TextField source="upload" />
        <MoneyField source="price" />
        <NumberField source="subscribers" />
        {can('delete_plan') && <DeleteButton mutationMode="pessimistic" />}
      </Datagrid>
    </List>
  );
}

function PlanFields() {
  return (
    <>
      <TextInput source={plan('name') && planEdit('name')} validate={required()} />
      <TextInput source={plan('download') && planEdit('download')} validate={[required(), rate]} helperText="100M, 512k" />
      <TextInput source={plan('upload') && planEdit('upload')} validate={[required(), rate]} helperText="20M" />
      <TextInput source={plan('price') && planEdit('price')} helperText="25.00" />
      <TextInput source={plan('burst_limit') && planEdit('burst_limit')} />
      <TextInput source={plan('burst_threshold') && planEdit('burst_threshold')} />
      <TextInput source={plan('burst_time') && planEdit('burst_time')} />
      <NumberInput source={plan('priority') && planEdit('priority')} min={1} max={8} />
    </>
  );
}

export const PlanCreate = () => (
  <Create redirect="list" mutationMode="pessimistic">
    <SimpleForm>
      <PlanFields />
    </SimpleForm>
  </Create>
);
export const PlanEdit = () => (
  <Edit redirect="list" mutationMode="pessimistic">
    <SimpleForm>
      <PlanFields />
    </SimpleForm>
  </Edit>
);

export function RouterList() {
  const can = useCan();
  if (useIsPhone())
    return (
      <List sort={{ field: 'name', order: 'ASC' }} filters={[<SearchInput key="q" source="q" alwaysOn />]}>
        <SimpleList primaryText={(r) => r.name} secondaryText={(r) => `${r.ip} · ${r.status ?? ''}`} tertiaryText={(r) => (r.cpu_load_percent == null ? '' : `CPU ${r.cpu_load_percent}%`)} linkType={can('edit_router') ? 'edit' : false} />
      </List>
    );
  return (
    <List sort={{ field: 'name', order: 'ASC' }} filters={[<SearchInput key="q" source="q" alwaysOn />]}>
      <Datagrid rowClick={can('edit_router') ? 'edit' : false} bulkActionButtons={false} expand={can('router_health') ? <RouterHealth /> : undefined}>
        <TextField source="name" />
        <TextField source="ip" />
        <StatusField source="status" />
        <FunctionField source="cpu_load_percent" render={(r: any) => (r.cpu_load_percent == null ? '—' : `${r.cpu_load_percent}%`)} />
        <FunctionField source="memory_used_percent" render={(r: any) => (r.memory_used_percent == null ? '—' : `${r.memory_used_percent}%`)} />
        <DateTimeField source="last_seen_at" />
        <TextField source="mode" />
        <NumberField source="customers" />
        {can('edit_router') && <EditButton />}
        {can('delete_router') && <DeleteButton mutationMode="pessimistic" />}
      </Datagrid>
    </List>
  );
}

function RouterFields({ create }: { create?: boolean }) {
  const req = create ? required() : undefined;
  return (
    <>
      <TextInput source={router('name') && routerEdit('name')} validate={req} />
      <TextInput source={router('ip') && routerEdit('ip')} validate={req} />
      <NumberInput source={router('port') && routerEdit('port')} />
      <TextInput source={router('user') && routerEdit('user')} validate={req} autoComplete="off" />
      <PasswordInput source={router('pass') && routerEdit('pass')} validate={req} autoComplete="new-password" />
      <BooleanInput source={router('tls') && routerEdit('tls')} />
      <TextInput source={router('radius_ip') && routerEdit('radius_ip')} />
      <PasswordInput source={router('radius_secret') && routerEdit('radius_secret')} validate={req} autoComplete="new-password" />
      <NumberInput source={router('coa_port') && routerEdit('coa_port')} />
      <SelectInput source={router('mode') && routerEdit('mode')} choices={[{ id: 'radius', name: 'RADIUS' }, { id: 'api', name: 'API' }]} />
    </>
  );
}

export const RouterCreate = () => (
  <Create redirect="list" mutationMode="pessimistic">
    <SimpleForm>
      <RouterFields create />
    </SimpleForm>
  </Create>
);
export function RouterEdit() {
  const can = useCan();
  return (
    <Edit redirect="list" mutationMode="pessimistic" aside={can('router_health') ? <RouterHealth /> : undefined}>
      <SimpleForm>
        <RouterFields />
      </SimpleForm>
    </Edit>
  );
}

void BooleanField;
