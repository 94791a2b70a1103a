/**
 * Topology map (cytoscape.js, from get_topology, nodes coloured by live status) and interface traffic graphs
 * (uPlot, from snmp_interfaces and snmp_history). Each screen is shown only when its actions exist.
 */
import { useEffect, useRef, useState } from 'react';
import { Title, useNotify, useTranslate, useLocaleState } from 'react-admin';
import { Box, Button, Card, CardContent, MenuItem, Stack, TextField, Typography, LinearProgress } from '@mui/material';
import cytoscape from 'cytoscape';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { callAny } from '../api/client';

const statusColour: Record<string, string> = { online: '#15803d', up: '#15803d', offline: '#b91c1c', down: '#b91c1c', unknown: '#64748b' };

export function TopologyMap() {
  const translate = useTranslate();
  const notify = useNotify();
  const box = useRef<HTMLDivElement>(null);
  const [summary, setSummary] = useState<{ nodes: number; links: number; down: number } | null>(null);
  const [loading, setLoading] = useState(true);

  useEffect(() => {
    let cy: cytoscape.Core | undefined;
    let live = true;
    const load = async () => {
      try {
        const t = (await callAny('get_topology')).data;
        if (!live || !box.current) return;
        const nodes = (t.nodes ?? []) as any[];
        const links = (t.links ?? []) as any[];
        cy?.destroy();
        cy = cytoscape({
          container: box.current,
          elements: [
            ...nodes.map((n) => ({ data: { id: String(n.id), label: `${n.label ?? n.id}${n.ip ? `\n${n.ip}` : ''}`, colour: statusColour[n.status] ?? statusColour.unknown }, position: n.x != null && n.y != null ? { x: n.x, y: n.y } : undefined })),
            ...links.map((l) => ({ data: { id: String(l.id), source: String(l.source), target: String(l.target), label: [l.source_interface, l.target_interface].filter(Boolean).join(' ↔ ') } })),
          ],
          style: [
            { selector: 'node', style: { 'background-color': 'data(colour)', label: 'data(label)', 'text-wrap': 'wrap', 'font-size': 10, 'text-valign': 'bottom', 'text-margin-y': 4 } },
            { selector: 'edge', style: { width: 2, 'line-color': '#94a3b8', label: 'data(label)', 'font-size': 8, 'curve-style': 'bezier' } },
          ],
          layout: nodes.some((n) => n.x != null) ? { name: 'preset' } : { name: 'cose', animate: false },
          maxZoom: 1.5,
          minZoom: 0.1,
        });
        setSummary({ nodes: nodes.length, links: links.length, down: nodes.filter((n) => n.status === 'offline' || n.status === 'down').length });
      } catch (e: any) {
        notify(e.message, { type: 'error' });
      } finally {
        setLoading(false);
      }
    };
    void load();
    const timer = setInterval(load, 60_000); // live status
    return () => {
      live = false;
      clearInterval(timer);
      cy?.destroy();
    };
  }, []);

  return (
    <Card sx={{ mt: 2 }}>
      <Title title={translate('ispgate.menu.topology')} />
      <CardContent>
        {loading && <LinearProgress aria-label={translate('ra.page.loading')} />}
        {summary && (
          <Typography variant="body2" id="topology-summary">
            {summary.nodes} nodes · {summary.links} links · {summary.down} down
          </Typography>
        )}
        <Box ref={box} role="img" aria-label={translate('ispgate.menu.topology')} sx={{ height: { xs: 420, md: 620 }, border: '1px solid #e2e8f0', borderRadius: 1, mt: 1 }} />
      </CardContent>
    </Card>
  );
}

const RANGES: Record<string, number> = { '6h': 6 * 3600, '24h': 86400, '7d': 7 * 86400 };

export function Monitoring() {
  const translate = useTranslate();
  const notify = useNotify();
  const [locale] = useLocaleState();
  const [device, setDevice] = useState('');
  const [ifaces, setIfaces] = useState<any[]>([]);
  const [iface, setIface] = useState('');
  const [range, setRange] = useState('24h');
  const chart = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  async function loadInterfaces() {
    try {
      const r = (await callAny('snmp_interfaces', { device })).data;
      const list = Array.isArray(r) ? r : (r.interfaces ?? r.items ?? []);
      setIfaces(list);
      if (list[0]) setIface(String(list[0].name ?? list[0].if_index));
    } catch (e: any) {
      notify(e.message, { type: 'error' });
    }
  }

  useEffect(() => {
    if (!device || !iface) return;
    let live = true;
    const span = RANGES[range];
    const to = new Date();
    const from = new Date(to.getTime() - span * 1000);
    callAny('snmp_history', { device, interface: iface, from: from.toISOString(), to: to.toISOString(), step: Math.max(60, Math.round(span / 300)) }).then(
      (r) => {
        if (!live || !chart.current) return;
        const pts = (r.data.points ?? []) as any[];
        const data: uPlot.AlignedData = [pts.map((p) => Date.parse(p.t) / 1000), pts.map((p) => p.in_bps / 1e6), pts.map((p) => p.out_bps / 1e6)];
        plot.current?.destroy();
        plot.current = new uPlot(
          {
            width: Math.min(chart.current.clientWidth || 800, 1200),
            height: 320,
            tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), Intl.DateTimeFormat().resolvedOptions().timeZone),
            series: [{}, { label: 'in Mbit/s', stroke: '#1d4ed8', width: 2 }, { label: 'out Mbit/s', stroke: '#b45309', width: 2 }],
            axes: [{}, { label: 'Mbit/s' }],
          },
          data,
          chart.current,
        );
      },
      (e) => notify(e.message, { type: 'error' }),
    );
    return () => {
      live = false;
    };
  }, [device, iface, range, locale]);

  useEffect(() => () => plot.current?.destroy(), []);

  return (
    <Card sx={{ mt: 2 }}>
      <Title title={translate('ispgate.menu.monitoring')} />
      <CardContent>
        <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2} sx={{ mb: 2 }}>
          <TextField id="mon-device" label={translate('ispgate.monitoring.device')} value={device} onChange={(e) => setDevice(e.target.value)} size="small" />
          <Button variant="outlined" onClick={loadInterfaces} disabled={!device}>{translate('ispgate.monitoring.load')}</Button>
          <TextField select id="mon-iface" label={translate('ispgate.monitoring.interface')} value={iface} onChange={(e) => setIface(e.target.value)} size="small" sx={{ minWidth: 180 }}>
            {ifaces.map((i) => <MenuItem key={i.if_index ?? i.name} value={String(i.name ?? i.if_index)}>{i.name ?? i.if_index}</MenuItem>)}
          </TextField>
          <TextField select id="mon-range" label={translate('ispgate.monitoring.range')} value={range} onChange={(e) => setRange(e.target.value)} size="small">
            {Object.keys(RANGES).map((k) => <MenuItem key={k} value={k}>{k}</MenuItem>)}
          </TextField>
        </Stack>
        <Box ref={chart} role="img" aria-label={translate('ispgate.monitoring.graph')} sx={{ width: '100%', overflowX: 'auto' }} />
      </CardContent>
    </Card>
  );
}
