import { z } from 'zod';
import { defineAction } from '../../gateway/action';
import { blank, optionalBool, optionalText } from '../../gateway/fields';
import { getTopology, listSources, saveSource } from '../../services/monitoring/topology';

const sourceName = z.enum(['librenms', 'observium', 'zabbix', 'mikrotik']);

export const saveTopologyMetricsSource = defineAction({
  name: 'save_topology_metrics_source',
  section: 'topology',
  summary: 'Configure a topology data source (LibreNMS, Observium, Zabbix or MikroTik direct); test=1 checks it before saving',
  input: z.object({
    source: sourceName,
    url: optionalText(500),
    token: z.preprocess(blank, z.string().min(1).max(512).optional()),
    user: optionalText(128),
    password: z.preprocess(blank, z.string().min(1).max(256).optional()),
    verify_tls: optionalBool,
    poll_interval: z.preprocess(blank, z.coerce.number().int().min(30).max(86_400).optional()),
    test: optionalBool,
  }),
  permission: 'topology.write',
  rateClass: 'standard',
  run: (ctx, input) => saveSource(ctx, input),
});

export const getTopologyAction = defineAction({
  name: 'get_topology',
  section: 'topology',
  summary: 'Nodes (routers, inventory, devices of the sources) and links (LLDP/CDP/MNDP neighbours) ready to draw',
  input: z.object({ source: z.preprocess(blank, sourceName.optional()) }),
  permission: 'topology.read',
  rateClass: 'standard',
  methods: ['GET', 'POST'],
  run: (ctx, input) => getTopology(ctx, { source: input.source }),
});

export const getTopologySources = defineAction({
  name: 'get_topology_metrics_sources',
  section: 'topology',
  summary: 'The saved topology sources (credentials never returned)',
  input: z.object({}).passthrough(),
  permission: 'topology.read',
  rateClass: 'standard',
  methods: ['GET', 'POST'],
  run: (ctx) => listSources(ctx),
});

export const topologyActions = [saveTopologyMetricsSource, getTopologyAction, getTopologySources];
