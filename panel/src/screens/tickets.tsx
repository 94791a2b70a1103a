/**
 * Helpdesk: shown only when the tickets actions (list_tickets, get_ticket…) exist on this server (describe).
 */
import { Create, Datagrid, List, SelectInput, Show, SimpleForm, SimpleShowLayout, TextField, TextInput, required, SearchInput } from 'react-admin';
import { DateTimeField, StatusField } from '../fields';

const statuses = ['open', 'pending', 'closed'].map((id) => ({ id, name: id }));
const priorities = ['low', 'normal', 'high', 'urgent'].map((id) => ({ id, name: id }));

export const TicketList = () => (
  <List filters={[<SearchInput key="q" source="q" alwaysOn />, <SelectInput key="s" source="status" choices={statuses} />, <SelectInput key="p" source="priority" choices={priorities} />]}>
    <Datagrid rowClick="show" bulkActionButtons={false}>
      <TextField source="id" />
      <TextField source="subject" />
      <StatusField source="status" />
      <TextField source="priority" />
      <DateTimeField source="created_at" />
    </Datagrid>
  </List>
);

export const TicketShow = () => (
  <Show>
    <SimpleShowLayout>
      <TextField source="subject" />
      <StatusField source="status" />
      <TextField source="priority" />
    </SimpleShowLayout>
  </Show>
);

export const TicketCreate = () => (
  <Create redirect="show" mutationMode="pessimistic">
    <SimpleForm>
      <TextInput source="customer_id" />
      <TextInput source="subject" validate={required()} />
      <TextInput source="body" multiline validate={required()} />
      <SelectInput source="priority" choices={priorities} />
    </SimpleForm>
  </Create>
);
