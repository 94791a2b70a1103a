/**
 * Network settings (pools, VLANs, OSPF, VPLS, routes) as a new revision each save, the revisions list, and apply
 * to api-mode routers with the dry-run diff shown first. Inventory: pending/approved nodes, approve, bulk delete.
 */
import { useEffect, useState } from 'react';
import {
  Datagrid, List, SelectInput, SearchInput, TextField, Title, TopToolbar, useListContext, useNotify, useRefresh, useTranslate, useRecordContext,
  useGetList, FunctionField,
} from 'react-admin';
import { Alert, Box, Button, Card, CardContent, Checkbox, FormControlLabel, LinearProgress, Stack, TextField as MuiTextField, Typography } from '@mui/material';
import { callAny } from '../api/client';
import { ConfirmButton } from '../ConfirmButton';
import { DateTimeField, StatusField } from '../fields';
import { useCan } from '../perms';

const SECTIONS = ['pools', 'vlans', 'ospf', 'vpls', 'routes'] as const;

export function NetworkSettings() {
  const translate = useTranslate();
  const notify = useNotify();
  const can = useCan();
  const [text, setText] = useState<Record<string, string>>({});
  const [revision, setRevision] = useState<number | null>(null);
  const [revisions, setRevisions] = useState<any[]>([]);
  const [routers, setRouters] = useState<number[]>([]);
  const [plan, setPlan] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const { data: routerRows } = useGetList('routers', { pagination: { page: 1, perPage: 100 } });

  async function load(rev?: number) {
    try {
      const r = (await callAny('get_network_settings', rev ? { revision: rev } : {})).data;
      const s = r.settings ?? r;
      setRevision(r.revision ?? null);
      setText(Object.fromEntries(SECTIONS.map((k) => [k, JSON.stringify(s[k] ?? (k === 'ospf' ? null : []), null, 2)])));
      if (can('list_network_revisions')) {
        const revs = (await callAny('list_network_revisions', { per_page: 20 })).data;
        setRevisions((Array.isArray(revs) ? revs : (revs?.items ?? [])) as any[]);
      }
    } catch (e: any) {
      notify(e.message, { type: 'error' });
    }
  }
  useEffect(() => {
    void load();
  }, []);

  function parsed(): Record<string, unknown> | null {
    const out: Record<string, unknown> = {};
    for (const k of SECTIONS) {
      try {
        out[k] = JSON.parse(text[k] || 'null');
      } catch {
        notify(`${k}: not valid JSON`, { type: 'error' });
        return null;
      }
    }
    return out;
  }
  const send = async (params: Record<string, unknown>) => {
    setBusy(true);
    try {
      return (await callAny('save_network_settings', params)).data;
    } catch (e: any) {
      notify(e.message, { type: 'error' });
      return null;
    } finally {
      setBusy(false);
    }
  };

  const writable = can('save_network_settings');
  return (
    <Card sx={{ mt: 2 }}>
      <Title title={translate('ispgate.menu.network')} />
      <CardContent>
        <Stack spacing={2}>
          <Typography>{translate('ispgate.network.revision')}: <strong>{revision ?? '—'}</strong></Typography>
          {busy && <LinearProgress aria-label={translate('ra.page.loading')} />}
          {SECTIONS.map((k) => (
            <MuiTextField key={k} id={`net-${k}`} label={k} multiline minRows={3} maxRows={16} value={text[k] ?? ''} disabled={!writable} onChange={(e) => setText({ ...text, [k]: e.target.value })} slotProps={{ htmlInput: { style: { fontFamily: 'monospace' } } }} />
          ))}
          {writable && (
            <Button
              variant="contained"
              disabled={busy}
              onClick={async () => {
                const p = parsed();
                if (p && (await send(p))) {
                  notify(translate('ispgate.network.saved'), { type: 'success' });
                  await load();
                }
              }}
            >
              {translate('ispgate.network.save')}
            </Button>
          )}
          {writable && (
            <Box>
              <Typography variant="h6" component="h2">{translate('ispgate.network.apply')}</Typography>
              <Box sx={{ display: 'flex', flexWrap: 'wrap' }}>
                {(routerRows ?? []).filter((r: any) => r.mode === 'api').map((r: any) => (
                  <FormControlLabel key={r.id} label={r.name} control={<Checkbox checked={routers.includes(r.id)} onChange={(e) => setRouters(e.target.checked ? [...routers, r.id] : routers.filter((x) => x !== r.id))} />} />
                ))}
              </Box>
              <Stack direction="row" spacing={1}>
                <Button variant="outlined" disabled={busy || !routers.length} onClick={async () => { const r = await send({ routers, dry_run: 1 }); if (r) setPlan(JSON.stringify(r.routers ?? r.results ?? r, null, 2)); }}>
                  {translate('ispgate.network.dry_run')}
                </Button>
                <ConfirmButton
                  label={translate('ispgate.network.apply_now')}
                  title={translate('ispgate.network.apply_now')}
                  content={translate('ispgate.network.apply_confirm', { smart_count: routers.length })}
                  disabled={busy || !routers.length || plan === null}
                  color="warning"
                  onConfirm={async () => { const r = await send({ routers, apply: 1 }); if (r) setPlan(JSON.stringify(r.routers ?? r.results ?? r, null, 2)); }}
                />
              </Stack>
              {plan !== null && <Box component="pre" id="network-diff" sx={{ bgcolor: '#0f172a', color: '#e2e8f0', p: 1, borderRadius: 1, overflow: 'auto', maxHeight: 360 }}>{plan}</Box>}
            </Box>
          )}
          {revisions.length > 0 && (
            <Box>
              <Typography variant="h6" component="h2">{translate('ispgate.network.revisions')}</Typography>
              {revisions.map((r) => (
                <Box key={r.revision ?? r.id} sx={{ display: 'flex', gap: 2, alignItems: 'center' }}>
                  <span>#{r.revision ?? r.id} · {r.created_at} · {r.created_by ?? ''}</span>
                  <Button size="small" onClick={() => load(r.revision ?? r.id)}>{translate('ra.action.show')}</Button>
                  {writable && (
                    <ConfirmButton label={translate('ispgate.network.restore')} title={translate('ispgate.network.restore')} content={translate('ispgate.network.restore_confirm', { revision: r.revision ?? r.id })} onConfirm={async () => { if (await send({ revision: r.revision ?? r.id })) await load(); }} />
                  )}
                </Box>
              ))}
            </Box>
          )}
        </Stack>
      </CardContent>
    </Card>
  );
}

function ApproveButton() {
  const r = useRecordContext();
  const can = useCan();
  const notify = useNotify();
  const refresh = useRefresh();
  const translate = useTranslate();
  if (!r || r.status !== 'pending' || !can('approve_inventory_node')) return null;
  return (
    <Button size="small" onClick={(e) => { e.stopPropagation(); callAny('approve_inventory_node', { id: r.id }).then(() => refresh(), (err) => notify(err.message, { type: 'error' })); }}>
      {translate('ispgate.inventory.approve')}
    </Button>
  );
}

function InventoryActions() {
  const can = useCan();
  const translate = useTranslate();
  const notify = useNotify();
  const refresh = useRefresh();
  const { filterValues } = useListContext();
  const scope = filterValues.status === 'approved' ? 'all_approved' : filterValues.status === 'pending' ? 'all_pending' : 'all';
  const run = (action: string, params: Record<string, unknown>) => async () => {
    try {
      await callAny(action, params);
    } catch (e: any) {
      notify(e.message, { type: 'error' });
    }
    refresh();
  };
  return (
    <TopToolbar>
      {can('approve_inventory_all') && <ConfirmButton label={translate('ispgate.inventory.approve_all')} title={translate('ispgate.inventory.approve_all')} content={translate('ispgate.inventory.approve_all_confirm')} onConfirm={run('approve_inventory_all', {})} />}
      {can('delete_inventory_bulk') && <ConfirmButton label={translate('ispgate.inventory.delete_bulk', { scope })} title={translate('ispgate.inventory.delete_bulk', { scope })} content={translate('ispgate.inventory.delete_bulk_confirm', { scope })} color="error" onConfirm={run('delete_inventory_bulk', { scope })} />}
    </TopToolbar>
  );
}

export const InventoryList = () => (
  <List
    actions={<InventoryActions />}
    filters={[<SearchInput key="q" source="q" alwaysOn />, <SelectInput key="s" source="status" choices={[{ id: 'pending', name: 'pending' }, { id: 'approved', name: 'approved' }]} alwaysOn />]}
  >
    <Datagrid bulkActionButtons={false} rowClick={false}>
      <TextField source="name" />
      <TextField source="ip" emptyText="—" />
      <TextField source="type" />
      <TextField source="mac" emptyText="—" />
      <FunctionField source="vendor" render={(r: any) => [r.vendor, r.model].filter(Boolean).join(' ') || '—'} />
      <StatusField source="status" />
      <DateTimeField source="created_at" />
      <ApproveButton />
    </Datagrid>
  </List>
);

void Alert;
