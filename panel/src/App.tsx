import { lazy, Suspense, useEffect, useMemo, useState, type FormEvent } from 'react';
import {
  Admin, AppBar, CustomRoutes, Layout, Menu, Resource, TitlePortal, LocalesMenuButton, ToggleThemeButton, useLogin, useSetLocale, useTranslate,
  defaultTheme, defaultDarkTheme, type LayoutProps, type RaThemeOptions, useSidebarState,
} from 'react-admin';
import { Route } from 'react-router-dom';
import { Alert, Box, Button, Card, CardContent, Divider, ListSubheader, Stack, TextField, Typography } from '@mui/material';
import type { JSX } from 'react';
import AccountCircle from '@mui/icons-material/AccountCircle';
import Build from '@mui/icons-material/Build';
import Campaign from '@mui/icons-material/Campaign';
import ChevronRight from '@mui/icons-material/ChevronRight';
import Hub from '@mui/icons-material/Hub';
import NoteAdd from '@mui/icons-material/NoteAdd';
import PlaylistAdd from '@mui/icons-material/PlaylistAdd';
import Settings from '@mui/icons-material/Settings';
import SettingsEthernet from '@mui/icons-material/SettingsEthernet';
import ShowChart from '@mui/icons-material/ShowChart';
import SmartToy from '@mui/icons-material/SmartToy';
import Tune from '@mui/icons-material/Tune';
import People from '@mui/icons-material/People';
import Speed from '@mui/icons-material/Speed';
import Router from '@mui/icons-material/Router';
import Receipt from '@mui/icons-material/Receipt';
import Payments from '@mui/icons-material/Payments';
import SupportAgent from '@mui/icons-material/SupportAgent';
import Inventory2 from '@mui/icons-material/Inventory2';
import AdminPanelSettings from '@mui/icons-material/AdminPanelSettings';
import VpnKey from '@mui/icons-material/VpnKey';
import Webhook from '@mui/icons-material/Webhook';
import Domain from '@mui/icons-material/Domain';
import { authProvider, OtpRequired } from './authProvider';
import { dataProvider } from './dataProvider';
import { i18nProvider, LOCALE_KEY } from './i18n';
import { callAny } from './api/client';
import { applyBranding, branding, onBranding, type Branding } from './branding';
import type { PanelPermissions } from './perms';
import { useCan } from './perms';
import { CustomerCreate, CustomerEdit, CustomerList, CustomerShow } from './screens/customers';
import { PlanCreate, PlanEdit, PlanList, RouterCreate, RouterEdit, RouterList } from './screens/network';
import { GenerateMonth, InvoiceList, InvoiceShow } from './screens/billing';
import { Account } from './screens/account';
import { Dashboard } from './screens/dashboard';
import { AdminCreate, AdminList, ApiKeyCreate, ApiKeyList, Settings as SettingsScreen, TenantList, WebhookCreate, WebhookList } from './screens/admin';
// The map and the graphs bring cytoscape and uPlot: loaded when first opened.
const TopologyMap = lazy(() => import('./screens/monitoring').then((m) => ({ default: m.TopologyMap })));
const Monitoring = lazy(() => import('./screens/monitoring').then((m) => ({ default: m.Monitoring })));
import { InventoryList, NetworkSettings } from './screens/netsettings';
import { SETTINGS_AREAS, SettingsArea } from './screens/schemaform';
import { BillingTools, ManualInvoice } from './screens/billingtools';
import { Assistant, Notifications } from './screens/notifications';
import { TicketCreate, TicketList, TicketShow } from './screens/tickets';
import { PaymentList } from './screens/payments';
import { WebhookDeliveries } from './screens/webhooks';
import { lighten } from '@mui/material/styles';

function LoginPage() {
  const login = useLogin();
  const translate = useTranslate();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [needCode, setNeedCode] = useState(false);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError('');
    setBusy(true);
    try {
      await login({ username, password, code: needCode ? code.trim() : undefined });
    } catch (err: any) {
      if (err instanceof OtpRequired) {
        setNeedCode(true);
        setError(translate('ispgate.signin.code_needed'));
      } else setError(err?.message ?? String(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Box component="main" sx={{ minHeight: '100vh', display: 'flex', alignItems: 'center', justifyContent: 'center', bgcolor: 'background.default', p: 2 }}>
      <Card sx={{ width: '100%', maxWidth: 400 }}>
        <CardContent>
          <Box sx={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center' }}>
            <Typography variant="h5" component="h1">{translate('ispgate.signin.title')}</Typography>
            <LocalesMenuButton />
          </Box>
          <form onSubmit={submit} noValidate>
            <Stack spacing={2} sx={{ mt: 2 }}>
              <TextField id="username" name="username" label={translate('ra.auth.username')} value={username} onChange={(e) => setUsername(e.target.value)} autoComplete="username" required autoFocus />
              <TextField id="password" name="password" type="password" label={translate('ra.auth.password')} value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="current-password" required />
              {needCode && (
                <TextField id="code" name="code" label={translate('ispgate.signin.code')} value={code} onChange={(e) => setCode(e.target.value)} autoComplete="one-time-code" slotProps={{ htmlInput: { inputMode: 'text' } }} autoFocus />
              )}
              <Button type="submit" variant="contained" disabled={busy}>{translate('ispgate.signin.submit')}</Button>
              <div role="alert" id="login-error">{error && <Alert severity={needCode && !code ? 'info' : 'error'}>{error}</Alert>}</div>
            </Stack>
          </form>
        </CardContent>
      </Card>
    </Box>
  );
}

let defaultApplied = false;

/** After sign-in: branding from get_settings, and the installation's language unless the admin chose one. */
function BrandingLoader() {
  const setLocale = useSetLocale();
  const can = useCan();
  const allowed = can('get_settings');
  useEffect(() => {
    if (!allowed) return;
    callAny('get_settings').then(
      (r) => {
        applyBranding(r.data);
        const lang = r.data?.language;
        // Once per page load, and only until the admin picks a language (react-admin keeps the pick in its store).
        if (!defaultApplied && !localStorage.getItem(LOCALE_KEY) && !localStorage.getItem('RaStore.locale') && (lang === 'el' || lang === 'en')) void setLocale(lang);
        defaultApplied = true;
      },
      () => undefined,
    );
  }, [allowed]);
  return null;
}

function useBranding(): Branding {
  const [b, setB] = useState(branding());
  useEffect(() => onBranding(setB), []);
  return b;
}

function PanelAppBar() {
  const b = useBranding();
  return (
    <AppBar
      toolbar={
        <>
          <LocalesMenuButton />
          <ToggleThemeButton />
        </>
      }
    >
      {b.logo_url && <img src={b.logo_url} alt="" style={{ height: 28, marginRight: 8 }} />}
      <Typography component="span" sx={{ mr: 2, fontWeight: 600, display: { xs: 'none', sm: 'inline' } }}>{b.company_name || 'ispgate'}</Typography>
      <TitlePortal />
    </AppBar>
  );
}

/** The menu in the groups an ISP's staff think in; an item whose actions the admin may not use is absent. */
function PanelMenu() {
  const can = useCan();
  const translate = useTranslate();
  const [open] = useSidebarState();
  const res = (name: string, list: string) => (can(list) ? <Menu.ResourceItem key={name} name={name} /> : null);
  const item = (to: string, label: string, show: boolean, Icon: typeof ChevronRight = ChevronRight) =>
    show ? <Menu.Item key={to} to={to} primaryText={translate(label)} leftIcon={<Icon />} /> : null;
  const group = (label: string, items: Array<JSX.Element | null>) =>
    items.some(Boolean) ? [open ? <ListSubheader key={`h-${label}`} component="div" sx={{ lineHeight: '32px', mt: 1, bgcolor: 'transparent' }}>{translate(label)}</ListSubheader> : <Divider key={`h-${label}`} />, ...items] : [];
  return (
    <Menu>
      <Menu.DashboardItem primaryText={translate('ispgate.menu.dashboard')} />
      {group('ispgate.menu.g_subscribers', [res('customers', 'list_customers'), res('plans', 'list_plans'), res('tickets', 'list_tickets'), item('/notifications', 'ispgate.menu.notifications', can('list_notifications'), Campaign)])}
      {group('ispgate.menu.g_network', [
        res('routers', 'list_routers_ui'),
        item('/network', 'ispgate.menu.network', can('get_network_settings'), SettingsEthernet),
        res('inventory', 'list_inventory'),
        item('/topology', 'ispgate.menu.topology', can('get_topology'), Hub),
        item('/monitoring', 'ispgate.menu.monitoring', can('snmp_history'), ShowChart),
      ])}
      {group('ispgate.menu.billing', [
        res('invoices', 'list_invoices'),
        res('payments', 'list_payments'),
        item('/generate', 'ispgate.menu.generate', can('generate_invoices_month'), PlaylistAdd),
        item('/manual-invoice', 'ispgate.billing.manual', can('create_invoice_manual'), NoteAdd),
        item('/billing-tools', 'ispgate.billing.tools', can('dias_import') || can('erp_status'), Build),
      ])}
      {group('ispgate.menu.administration', [
        item('/assistant', 'ispgate.menu.assistant', can('ai_ask'), SmartToy),
        res('admins', 'list_web_admins'),
        res('api_keys', 'api_key_list'),
        res('webhooks', 'webhook_list'),
        res('tenants', 'tenant_list'),
        item('/settings', 'ispgate.menu.settings', can('get_settings'), Settings),
        ...Object.entries(SETTINGS_AREAS).map(([area, d]) => item(`/settings/${area}`, `ispgate.settings_area.${area}`, can(d.get), Tune)),
        item('/account', 'ispgate.menu.account', true, AccountCircle),
      ])}
    </Menu>
  );
}

function PanelLayout(props: LayoutProps) {
  return (
    <Layout {...props} appBar={PanelAppBar} menu={PanelMenu}>
      <BrandingLoader />
      {props.children}
    </Layout>
  );
}

const lightTheme: RaThemeOptions = { ...defaultTheme, palette: {
    ...defaultTheme.palette,
    primary: { main: '#1d4ed8' },
    secondary: { main: '#1e293b' },
    // darker than MUI's defaults so text on white and white on these keep a 4.5:1 contrast (WCAG AA)
    warning: { main: '#b45309' },
    success: { main: '#15803d' },
    error: { main: '#b91c1c' },
    info: { main: '#0369a1' },
  },
};
const darkTheme: RaThemeOptions = { ...defaultDarkTheme, palette: { ...defaultDarkTheme.palette, primary: { main: '#93c5fd' } } };

/**
 * A device set to reduce motion (an accessibility setting) gets no transitions: menus, dialogs and notifications
 * appear at once instead of sliding and fading in.
 */
function withMotionPreference(theme: RaThemeOptions): RaThemeOptions {
  const reduce = typeof window !== 'undefined' && window.matchMedia?.('(prefers-reduced-motion: reduce)').matches;
  return reduce ? { ...theme, transitions: { ...theme.transitions, create: () => 'none' } } : theme;
}

/**
 * The installation's theme colour (get_settings theme_color) as the primary colour: as chosen on the light theme,
 * lightened on the dark one so text in it stays readable on a dark background. The installation's theme
 * (light, dark, auto = the device's preference) is the default until the admin toggles it in the top bar.
 */
function useBrandThemes(): [RaThemeOptions, RaThemeOptions, 'light' | 'dark' | undefined] {
  const pick = (b: Branding) => ({
    color: b.theme_color && /^#[0-9a-f]{6}$/i.test(b.theme_color) ? b.theme_color : null,
    mode: b.theme === 'dark' || b.theme === 'light' ? (b.theme as 'light' | 'dark') : undefined,
  });
  const [brand, setBrand] = useState(pick(branding()));
  useEffect(() => onBranding((b) => setBrand(pick(b))), []);
  const { color, mode } = brand;
  return useMemo(
    () =>
      color
        ? [
            withMotionPreference({ ...lightTheme, palette: { ...lightTheme.palette, primary: { main: color } } }),
            withMotionPreference({ ...darkTheme, palette: { ...darkTheme.palette, primary: { main: lighten(color, 0.55) } } }),
            mode,
          ]
        : [withMotionPreference(lightTheme), withMotionPreference(darkTheme), mode],
    [color, mode],
  );
}

export function App() {
  const [light, dark, mode] = useBrandThemes();
  return (
    <Admin
      title="ispgate"
      dataProvider={dataProvider}
      authProvider={authProvider}
      i18nProvider={i18nProvider}
      loginPage={LoginPage}
      layout={PanelLayout}
      dashboard={Dashboard}
      theme={light}
      darkTheme={dark}
      defaultTheme={mode}
      requireAuth
      disableTelemetry
    >
      {(p: PanelPermissions) => {
        const can = (a: string) => (p?.actions ?? []).includes(a);
        const pick = <T,>(a: string, c: T) => (can(a) ? c : undefined);
        return (
          <>
            {can('list_customers') && <Resource name="customers" icon={People} list={CustomerList} show={CustomerShow} create={pick('add', CustomerCreate)} edit={pick('edit', CustomerEdit)} recordRepresentation="username" />}
            {can('list_plans') && <Resource name="plans" icon={Speed} list={PlanList} create={pick('add_plan', PlanCreate)} edit={pick('edit_plan', PlanEdit)} recordRepresentation="name" />}
            {can('list_routers_ui') && <Resource name="routers" icon={Router} list={RouterList} create={pick('add_router', RouterCreate)} edit={pick('edit_router', RouterEdit)} recordRepresentation="name" />}
            {can('list_invoices') && <Resource name="invoices" icon={Receipt} list={InvoiceList} show={InvoiceShow} recordRepresentation="invoice_no" />}
            {can('list_payments') && <Resource name="payments" icon={Payments} list={PaymentList} />}
            {can('list_tickets') && <Resource name="tickets" icon={SupportAgent} list={TicketList} show={TicketShow} create={pick('ticket_create', TicketCreate)} recordRepresentation="subject" />}
            {can('radius_sessions') && <Resource name="sessions" />}
            {can('list_inventory') && <Resource name="inventory" icon={Inventory2} list={InventoryList} />}
            {can('tenant_list') && <Resource name="tenants" icon={Domain} list={TenantList} recordRepresentation="name" />}
            {can('list_web_admins') && <Resource name="admins" icon={AdminPanelSettings} list={AdminList} create={pick('add_web_admin', AdminCreate)} recordRepresentation="username" />}
            {can('api_key_list') && <Resource name="api_keys" icon={VpnKey} list={ApiKeyList} create={pick('api_key_create', ApiKeyCreate)} />}
            {can('webhook_list') && <Resource name="webhooks" icon={Webhook} list={WebhookList} create={pick('webhook_create', WebhookCreate)} />}
            <CustomRoutes>
              <Route path="/account" element={<Account />} />
              {can('generate_invoices_month') && <Route path="/generate" element={<GenerateMonth />} />}
              {can('get_settings') && <Route path="/settings" element={<SettingsScreen />} />}
              {can('get_network_settings') && <Route path="/network" element={<NetworkSettings />} />}
              <Route path="/settings/:area" element={<SettingsArea />} />
              {can('list_notifications') && <Route path="/notifications" element={<Notifications />} />}
              {can('ai_ask') && <Route path="/assistant" element={<Assistant />} />}
              {can('create_invoice_manual') && <Route path="/manual-invoice" element={<ManualInvoice />} />}
              {(can('dias_import') || can('erp_status')) && <Route path="/billing-tools" element={<BillingTools />} />}
              {can('get_topology') && <Route path="/topology" element={<Suspense fallback={null}><TopologyMap /></Suspense>} />}
              {can('snmp_history') && <Route path="/monitoring" element={<Suspense fallback={null}><Monitoring /></Suspense>} />}
              {can('webhook_deliveries') && <Route path="/webhooks/:id/deliveries" element={<WebhookDeliveries />} />}
            </CustomRoutes>
          </>
        );
      }}
    </Admin>
  );
}
