import polyglotI18nProvider from 'ra-i18n-polyglot';
import englishMessages from 'ra-language-english';

type Dict = { [k: string]: string | Dict };

function merge(base: Dict, over: Dict): Dict {
  const out: Dict = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = typeof v === 'object' && typeof base[k] === 'object' ? merge(base[k] as Dict, v) : v;
  return out;
}

const en: Dict = {
  ispgate: {
    signin: { title: 'Sign in', code: 'Two-factor code or recovery code', code_needed: 'Enter the code from your authenticator app (or a recovery code).', submit: 'Sign in' },
    menu: { g_subscribers: 'Subscribers', g_network: 'Network', dashboard: 'Dashboard', account: 'My account', billing: 'Billing', generate: 'Month generation', settings: 'Settings', administration: 'Administration', topology: 'Topology map', monitoring: 'Monitoring', network: 'Network settings', notifications: 'Notifications', assistant: 'AI assistant' },
    monitoring: { device: 'SNMP device id', load: 'Load interfaces', interface: 'Interface', range: 'Range', graph: 'Interface traffic graph' },
    network: { revision: 'Revision', save: 'Save as a new revision', saved: 'Network settings saved', apply: 'Apply to routers', dry_run: 'Show the changes (dry run)', apply_now: 'Apply', apply_confirm: 'Push these settings to %{smart_count} router(s)? The changes shown above are made on the routers.', revisions: 'Revisions', restore: 'Restore', restore_confirm: 'Restore revision %{revision} as the current settings (a new revision)?' },
    inventory: { approve: 'Approve', approve_all: 'Approve all pending', approve_all_confirm: 'Approve every pending inventory node?', delete_bulk: 'Delete (%{scope})', delete_bulk_confirm: 'Delete inventory nodes: %{scope}? This cannot be undone.' },
    dashboard: {
      title: 'Dashboard', subscribers: 'Subscribers', active: 'Active', suspended: 'Suspended', online: 'Online sessions', invoiced: 'Invoiced this month',
      collected: 'Collected this month', overdue: 'Overdue total', routers_up: 'Routers up', routers_down: 'Routers down', open_tickets: 'Open tickets',
    },
    customer: {
      suspend: 'Suspend', unsuspend: 'Unsuspend', suspend_confirm: 'Suspend %{name}? Their sessions are disconnected and they cannot connect until unsuspended.',
      unsuspend_confirm: 'Unsuspend %{name}? They can connect again at once.', suspended: 'Subscriber suspended', unsuspended: 'Subscriber unsuspended',
      details: 'Details', sessions: 'Live sessions', invoices: 'Invoices', disconnect: 'Disconnect', coa: 'Apply plan (CoA)', plan_change: 'Change plan',
      radius_test: 'RADIUS test', bulk_suspend: 'Suspend selected', bulk_suspend_confirm: 'Suspend %{smart_count} subscribers? Their sessions are disconnected.',
      disconnect_confirm: 'Disconnect every live session of %{name}? They reconnect on their own.', done: 'Done',
      bulk_notify: 'Notify selected', bulk_notify_confirm: 'Send this message to %{smart_count} subscribers?',
      payments: 'Payments', bulk_pay: 'Record a payment', bulk_pay_help: 'A payment is spread over the open invoices, oldest first.', amount: 'Amount',
      bulk_pay_confirm: 'Record a cash payment of %{amount} from %{name} against their open invoices?', wg_config: 'Download config', balance: 'Balance',
      topup: 'Top up', topup_confirm: 'Add %{amount} of credit to the VoIP account of %{name}?', call_date: 'Date', destination: 'Destination', duration: 'Seconds', price: 'Price', tickets: 'Tickets', voip: 'VoIP', wireguard: 'WireGuard',
    },
    invoice: {
      pdf: 'Download PDF', pay: 'Record payment', pay_confirm: 'Record the full payment of invoice %{number}?', paid: 'Payment recorded', lines: 'Lines',
      generate_title: 'Generate a month', month: 'Month (YYYY-MM)', generate: 'Generate invoices', generate_confirm: 'Create the invoices of %{month} for every active billable subscriber? Months already generated are not duplicated.',
      progress: 'Generating…', finished: 'Finished: %{created} created, %{existing} already existed.', einvoice: 'e-invoice', einvoice_submit: 'Send to myDATA', einvoice_submit_confirm: 'Transmit invoice %{number} to AADE myDATA? A transmitted invoice is cancelled only with a credit note.', mark: 'MARK', rf_code: 'RF code', vat: 'VAT', net: 'Net', total: 'Total',
    },
    account: {
      title: 'My account', twofa: 'Two-factor authentication', on: 'On', off: 'Off', enroll: 'Turn on two-factor authentication', scan: 'Scan this QR code with an authenticator app, then enter the code it shows.',
      confirm: 'Confirm', recovery: 'Recovery codes (shown once; keep them safe):', disable: 'Turn off two-factor authentication', disable_confirm: 'Turn off two-factor authentication for your account?',
      password_or_code: 'Current code or password', qr: 'QR code for the authenticator app', secret: 'Secret',
    },
    settings: { title: 'Settings and branding', saved: 'Settings saved', logo: 'Logo', favicon: 'Favicon', secret_unchanged: 'unchanged unless typed', comma_list: 'comma-separated' },
    settings_area: { billing: 'Billing settings', einvoice: 'e-Invoicing settings', erp: 'ERP settings', voip: 'VoIP settings', notifications: 'Notification settings', ai: 'AI settings' },
    notify: { send: 'Send a notification', segment: 'To', segment_all: 'every subscriber', segment_plan: 'subscribers on a plan', segment_router: 'subscribers on a router', segment_status: 'subscribers with a status', segment_overdue: 'subscribers with overdue invoices', value: 'Plan, router or status', channel: 'Channel', template: 'Template', subject: 'Subject', text: 'Message', send_confirm: 'Send this message to %{who} by %{channel}?', queued: 'Queued for delivery', templates: 'Templates', enabled: 'Sent automatically on its event', log: 'Delivery log', recipients: 'Recipients', at: 'Created' },
    ai: { ask: 'Ask the assistant', send: 'Ask', used: 'Actions used', proposal: 'Proposed change', run: 'Run it', run_confirm: 'Run %{action} as proposed, with your permissions?', done: 'Done' },
    billing: { manual: 'Manual invoice', description: 'Description', quantity: 'Quantity', unit_price: 'Unit price', add_line: 'Add a line', tools: 'Billing tools', dias_file: 'DIAS file', dias_import: 'Import DIAS payments', dias_confirm: 'Import the payments in %{name} and mark the matching invoices paid?', erp_status: 'ERP sync status', erp_sync: 'Sync now', erp_sync_confirm: 'Send pending customers, invoices and payments to the ERP now?' },
    router_health: { title: 'Health', refresh: 'Refresh', refresh_of: 'Refresh the health of %{name}', loading: 'Loading', source: 'Answered by', source_routeros_api: 'RouterOS API', source_snmp: 'SNMP', cpu: 'CPU load', memory: 'Memory used', temperature: 'Temperature', voltage: 'Voltage', uptime: 'Uptime', version: 'Version', board: 'Board', no_answer: 'The router did not answer by any source:' },
    tenant: { suspend: 'Suspend', suspend_title: 'Suspend tenant %{slug}', suspend_confirm: 'Suspend %{slug}? Its API answers tenant_suspended and its background jobs stop until it is resumed.', cut_service: 'Also cut its subscribers\' service', cut_service_on: 'Every active subscriber of %{slug} is suspended and disconnected (a background job); resuming the tenant gives them back their service.', cut_service_off: 'Its subscribers stay connected (their RADIUS rows are kept).', resume: 'Resume', resume_confirm: 'Resume %{slug}? Its API and jobs work again; subscribers its suspension cut get their service back (a background job).', suspended: 'Tenant suspended', resumed: 'Tenant resumed', job_running: 'Working… %{done}/%{total}', job_completed: 'Finished', job_failed: 'The job failed', job_cancelled: 'Cancelled', job_queued: 'Queued', cut_done: '%{smart_count} subscriber(s) cut', restored: '%{smart_count} subscriber(s) restored' },
    ticket: { attachments: 'Attachments', thread: 'Thread', internal: 'Internal note', reply: 'Reply to the subscriber', note: 'Internal note (not sent)', send: 'Send reply', add_note: 'Add note', close: 'Close ticket', close_confirm: 'Close ticket #%{id}? A reply from the subscriber reopens it.', closed: 'Ticket closed', ai_draft: 'AI draft', ai_note: 'An AI draft is only put in the box for you to edit; nothing is sent until you press Send.' },
    status: { active: 'active', suspended: 'suspended', paid: 'paid', unpaid: 'unpaid', overdue: 'overdue', cancelled: 'cancelled', online: 'online', offline: 'offline', open: 'open', pending: 'pending', closed: 'closed', in_progress: 'in progress', waiting: 'waiting', resolved: 'resolved' },
    common: { language: 'Language', confirm: 'Confirm', cancel: 'Cancel', forbidden: 'Not allowed: %{message}', status: 'Status', none: '—' },
  },
  resources: {
    customers: { name: 'Subscriber |||| Subscribers', fields: { username: 'Username', password: 'Password', fullname: 'Full name', email: 'Email', phone: 'Phone', address: 'Address', afm: 'VAT number (ΑΦΜ)', plan: 'Plan', plan_id: 'Plan', router: 'Router', status: 'Status', static_ip: 'Static IP', mac_address: 'MAC address', created_at: 'Created', q: 'Search' } },
    plans: { name: 'Plan |||| Plans', fields: { name: 'Name', download: 'Download', upload: 'Upload', price: 'Price', subscribers: 'Subscribers', burst_limit: 'Burst limit', burst_threshold: 'Burst threshold', burst_time: 'Burst time', priority: 'Priority', rate_limit: 'Rate limit' } },
    routers: { name: 'Router |||| Routers', fields: { name: 'Name', ip: 'IP address', port: 'API port', user: 'API user', pass: 'API password', tls: 'TLS', radius_ip: 'RADIUS address', radius_secret: 'RADIUS secret', coa_port: 'CoA port', mode: 'Mode', status: 'Status', last_seen_at: 'Last seen', cpu_load_percent: 'CPU %', memory_used_percent: 'Memory %', customers: 'Subscribers', version: 'Version' } },
    invoices: { name: 'Invoice |||| Invoices', fields: { number: 'Number', customer_id: 'Subscriber', customer: 'Subscriber', issue_date: 'Issued', due_date: 'Due', total: 'Total', status: 'Status', month: 'Month' } },
    sessions: { name: 'Session |||| Sessions', fields: { username: 'Username', framed_ip: 'IP', nas_ip: 'NAS', started_at: 'Started' } },
    admins: { name: 'Admin |||| Admins', fields: { username: 'Username', password: 'Password', email: 'Email', role: 'Role', two_factor_enabled: '2FA' } },
    api_keys: { name: 'API key |||| API keys', fields: { name: 'Name', admin: 'Admin', created_at: 'Created', last_used_at: 'Last used' } },
    webhooks: { name: 'Webhook |||| Webhooks', fields: { url: 'URL', events: 'Events', active: 'Active' } },
    inventory: { name: 'Inventory node |||| Inventory', fields: { name: 'Name', ip: 'IP', type: 'Type', mac: 'MAC', vendor: 'Vendor', status: 'Status', created_at: 'Added', q: 'Search' } },
    tenants: { name: 'Tenant |||| Tenants', fields: { slug: 'Slug', name: 'Name', status: 'Status', created_at: 'Created' } },
    tickets: { name: 'Ticket |||| Tickets', fields: { subject: 'Subject', status: 'Status', priority: 'Priority', customer_id: 'Subscriber', assigned_to: 'Assigned to', body: 'Message', created_at: 'Opened' } },
  },
};

const el: Dict = {
  ra: {
    action: {
      add_filter: 'Προσθήκη φίλτρου', add: 'Προσθήκη', back: 'Πίσω', cancel: 'Άκυρο', clone: 'Αντιγραφή', confirm: 'Επιβεβαίωση', create: 'Δημιουργία',
      delete: 'Διαγραφή', edit: 'Επεξεργασία', export: 'Εξαγωγή', list: 'Λίστα', refresh: 'Ανανέωση', remove_filter: 'Αφαίρεση φίλτρου', remove: 'Αφαίρεση',
      save: 'Αποθήκευση', search: 'Αναζήτηση', show: 'Προβολή', sort: 'Ταξινόμηση', undo: 'Αναίρεση', close: 'Κλείσιμο', open_menu: 'Άνοιγμα μενού',
      close_menu: 'Κλείσιμο μενού', update: 'Ενημέρωση', select_all: 'Επιλογή όλων', select_row: 'Επιλογή γραμμής', unselect: 'Αποεπιλογή',
      toggle_theme: 'Φωτεινό/σκοτεινό θέμα', select_columns: 'Στήλες', bulk_actions: '1 επιλεγμένο |||| %{smart_count} επιλεγμένα', clear_input_value: 'Καθαρισμός',
    },
    auth: { user_menu: 'Προφίλ', username: 'Όνομα χρήστη', password: 'Κωδικός', sign_in: 'Σύνδεση', sign_in_error: 'Η σύνδεση απέτυχε', logout: 'Αποσύνδεση', auth_check_error: 'Συνδεθείτε για να συνεχίσετε' },
    navigation: {
      no_results: 'Δεν βρέθηκαν %{name}', no_more_results: 'Η σελίδα %{page} είναι εκτός ορίων.', page_out_of_boundaries: 'Η σελίδα %{page} είναι εκτός ορίων',
      page_range_info: '%{offsetBegin}-%{offsetEnd} από %{total}', page_rows_per_page: 'Γραμμές ανά σελίδα:', next: 'Επόμενη σελίδα', previous: 'Προηγούμενη σελίδα',
      first: 'Πρώτη σελίδα', last: 'Τελευταία σελίδα', page: 'Σελίδα %{page}', current_page: 'Σελίδα %{page}', skip_nav: 'Μετάβαση στο περιεχόμενο',
      clear_filters: 'Καθαρισμός φίλτρων', no_filtered_results: 'Δεν βρέθηκαν %{name} με τα τρέχοντα φίλτρα.',
    },
    page: { create: 'Νέο: %{name}', dashboard: 'Πίνακας ελέγχου', edit: '%{name} %{recordRepresentation}', error: 'Κάτι πήγε στραβά', list: '%{name}', loading: 'Φόρτωση', not_found: 'Δεν βρέθηκε', show: '%{name} %{recordRepresentation}', empty: 'Δεν υπάρχουν ακόμη %{name}.', invite: 'Θέλετε να προσθέσετε;', access_denied: 'Δεν επιτρέπεται' },
    message: {
      are_you_sure: 'Είστε βέβαιοι;', delete_title: 'Διαγραφή %{name} %{recordRepresentation}', delete_content: 'Να διαγραφεί αυτό το στοιχείο (%{name});',
      bulk_delete_title: 'Διαγραφή %{name} |||| Διαγραφή %{smart_count} στοιχείων', bulk_delete_content: 'Να διαγραφεί; |||| Να διαγραφούν αυτά τα %{smart_count} στοιχεία;',
      loading: 'Παρακαλώ περιμένετε', no: 'Όχι', yes: 'Ναι', invalid_form: 'Η φόρμα έχει λάθη', unsaved_changes: 'Κάποιες αλλαγές δεν αποθηκεύτηκαν. Να αγνοηθούν;',
      access_denied: 'Δεν έχετε δικαίωμα πρόσβασης σε αυτή τη σελίδα', details: 'Λεπτομέρειες', error: 'Σφάλμα· το αίτημα δεν ολοκληρώθηκε.',
    },
    notification: {
      updated: 'Ενημερώθηκε |||| Ενημερώθηκαν %{smart_count} στοιχεία', created: 'Δημιουργήθηκε', deleted: 'Διαγράφηκε |||| Διαγράφηκαν %{smart_count} στοιχεία',
      item_doesnt_exist: 'Το στοιχείο δεν υπάρχει', http_error: 'Σφάλμα επικοινωνίας με τον διακομιστή', data_provider_error: 'Σφάλμα δεδομένων', logged_out: 'Η συνεδρία έληξε, συνδεθείτε ξανά.',
    },
    validation: { required: 'Υποχρεωτικό', minLength: 'Τουλάχιστον %{min} χαρακτήρες', maxLength: 'Έως %{max} χαρακτήρες', email: 'Μη έγκυρο email', number: 'Πρέπει να είναι αριθμός' },
  },
  ispgate: {
    signin: { title: 'Σύνδεση', code: 'Κωδικός δύο παραγόντων ή κωδικός ανάκτησης', code_needed: 'Πληκτρολογήστε τον κωδικό της εφαρμογής επαλήθευσης (ή έναν κωδικό ανάκτησης).', submit: 'Σύνδεση' },
    menu: { g_subscribers: 'Συνδρομητές', g_network: 'Δίκτυο', dashboard: 'Πίνακας ελέγχου', account: 'Ο λογαριασμός μου', billing: 'Τιμολόγηση', generate: 'Έκδοση μήνα', settings: 'Ρυθμίσεις', administration: 'Διαχείριση', topology: 'Χάρτης τοπολογίας', monitoring: 'Παρακολούθηση', network: 'Ρυθμίσεις δικτύου', notifications: 'Ειδοποιήσεις', assistant: 'Βοηθός AI' },
    monitoring: { device: 'Αναγνωριστικό συσκευής SNMP', load: 'Φόρτωση διεπαφών', interface: 'Διεπαφή', range: 'Διάστημα', graph: 'Γράφημα κίνησης διεπαφής' },
    network: { revision: 'Έκδοση', save: 'Αποθήκευση ως νέα έκδοση', saved: 'Οι ρυθμίσεις δικτύου αποθηκεύτηκαν', apply: 'Εφαρμογή σε δρομολογητές', dry_run: 'Προβολή αλλαγών (δοκιμή)', apply_now: 'Εφαρμογή', apply_confirm: 'Αποστολή των ρυθμίσεων σε %{smart_count} δρομολογητές; Οι αλλαγές που φαίνονται παραπάνω γίνονται στους δρομολογητές.', revisions: 'Εκδόσεις', restore: 'Επαναφορά', restore_confirm: 'Επαναφορά της έκδοσης %{revision} ως τρέχουσας (νέα έκδοση);' },
    inventory: { approve: 'Έγκριση', approve_all: 'Έγκριση όλων', approve_all_confirm: 'Έγκριση όλων των εκκρεμών κόμβων;', delete_bulk: 'Διαγραφή (%{scope})', delete_bulk_confirm: 'Διαγραφή κόμβων: %{scope}; Δεν αναιρείται.' },
    dashboard: {
      title: 'Πίνακας ελέγχου', subscribers: 'Συνδρομητές', active: 'Ενεργοί', suspended: 'Σε αναστολή', online: 'Ενεργές συνδέσεις', invoiced: 'Τιμολογήθηκαν τον μήνα',
      collected: 'Εισπράχθηκαν τον μήνα', overdue: 'Ληξιπρόθεσμα', routers_up: 'Δρομολογητές σε λειτουργία', routers_down: 'Δρομολογητές εκτός', open_tickets: 'Ανοιχτά αιτήματα',
    },
    customer: {
      suspend: 'Αναστολή', unsuspend: 'Επανενεργοποίηση', suspend_confirm: 'Αναστολή του %{name}; Οι συνδέσεις του κόβονται και δεν μπορεί να συνδεθεί μέχρι την επανενεργοποίηση.',
      unsuspend_confirm: 'Επανενεργοποίηση του %{name}; Μπορεί να συνδεθεί αμέσως.', suspended: 'Ο συνδρομητής τέθηκε σε αναστολή', unsuspended: 'Ο συνδρομητής επανενεργοποιήθηκε',
      details: 'Στοιχεία', sessions: 'Ενεργές συνδέσεις', invoices: 'Τιμολόγια', disconnect: 'Αποσύνδεση', coa: 'Εφαρμογή πακέτου (CoA)', plan_change: 'Αλλαγή πακέτου',
      radius_test: 'Δοκιμή RADIUS', bulk_suspend: 'Αναστολή επιλεγμένων', bulk_suspend_confirm: 'Αναστολή %{smart_count} συνδρομητών; Οι συνδέσεις τους κόβονται.',
      disconnect_confirm: 'Αποσύνδεση όλων των συνδέσεων του %{name}; Θα επανασυνδεθούν μόνοι τους.', done: 'Ολοκληρώθηκε',
      bulk_notify: 'Ειδοποίηση επιλεγμένων', bulk_notify_confirm: 'Αποστολή του μηνύματος σε %{smart_count} συνδρομητές;',
      payments: 'Πληρωμές', bulk_pay: 'Καταχώριση πληρωμής', bulk_pay_help: 'Η πληρωμή κατανέμεται στα ανοιχτά τιμολόγια, από το παλαιότερο.', amount: 'Ποσό',
      bulk_pay_confirm: 'Καταχώριση πληρωμής μετρητοίς %{amount} από %{name} στα ανοιχτά τιμολόγια;', wg_config: 'Λήψη ρυθμίσεων', balance: 'Υπόλοιπο',
      topup: 'Φόρτιση', topup_confirm: 'Προσθήκη %{amount} στον λογαριασμό τηλεφωνίας του %{name};', call_date: 'Ημερομηνία', destination: 'Προορισμός', duration: 'Δευτερόλεπτα', price: 'Τιμή', tickets: 'Αιτήματα', voip: 'Τηλεφωνία', wireguard: 'WireGuard',
    },
    invoice: {
      pdf: 'Λήψη PDF', pay: 'Καταχώριση πληρωμής', pay_confirm: 'Καταχώριση εξόφλησης του τιμολογίου %{number};', paid: 'Η πληρωμή καταχωρίστηκε', lines: 'Γραμμές',
      generate_title: 'Έκδοση μήνα', month: 'Μήνας (ΕΕΕΕ-ΜΜ)', generate: 'Έκδοση τιμολογίων', generate_confirm: 'Έκδοση των τιμολογίων του %{month} για κάθε ενεργό συνδρομητή; Όσα έχουν ήδη εκδοθεί δεν διπλασιάζονται.',
      progress: 'Έκδοση σε εξέλιξη…', finished: 'Ολοκληρώθηκε: %{created} νέα, %{existing} υπήρχαν ήδη.', einvoice: 'Ηλεκτρονικό τιμολόγιο', einvoice_submit: 'Αποστολή στο myDATA', einvoice_submit_confirm: 'Διαβίβαση του τιμολογίου %{number} στο myDATA της ΑΑΔΕ; Ένα διαβιβασμένο τιμολόγιο ακυρώνεται μόνο με πιστωτικό.', mark: 'ΜΑΡΚ', rf_code: 'Κωδικός RF', vat: 'ΦΠΑ', net: 'Καθαρό', total: 'Σύνολο',
    },
    account: {
      title: 'Ο λογαριασμός μου', twofa: 'Έλεγχος ταυτότητας δύο παραγόντων', on: 'Ενεργός', off: 'Ανενεργός', enroll: 'Ενεργοποίηση δύο παραγόντων', scan: 'Σαρώστε τον κωδικό QR με εφαρμογή επαλήθευσης και πληκτρολογήστε τον κωδικό που δείχνει.',
      confirm: 'Επιβεβαίωση', recovery: 'Κωδικοί ανάκτησης (εμφανίζονται μία φορά· φυλάξτε τους):', disable: 'Απενεργοποίηση δύο παραγόντων', disable_confirm: 'Απενεργοποίηση του ελέγχου δύο παραγόντων για τον λογαριασμό σας;',
      password_or_code: 'Τρέχων κωδικός ή συνθηματικό', qr: 'Κωδικός QR για την εφαρμογή επαλήθευσης', secret: 'Μυστικό',
    },
    settings: { title: 'Ρυθμίσεις και εμφάνιση', saved: 'Οι ρυθμίσεις αποθηκεύτηκαν', logo: 'Λογότυπο', favicon: 'Εικονίδιο', secret_unchanged: 'αμετάβλητο αν μείνει κενό', comma_list: 'χωρισμένα με κόμμα' },
    settings_area: { billing: 'Ρυθμίσεις τιμολόγησης', einvoice: 'Ρυθμίσεις ηλεκτρονικής τιμολόγησης', erp: 'Ρυθμίσεις ERP', voip: 'Ρυθμίσεις τηλεφωνίας', notifications: 'Ρυθμίσεις ειδοποιήσεων', ai: 'Ρυθμίσεις AI' },
    notify: { send: 'Αποστολή ειδοποίησης', segment: 'Προς', segment_all: 'όλους τους συνδρομητές', segment_plan: 'συνδρομητές πακέτου', segment_router: 'συνδρομητές δρομολογητή', segment_status: 'συνδρομητές με κατάσταση', segment_overdue: 'συνδρομητές με ληξιπρόθεσμα', value: 'Πακέτο, δρομολογητής ή κατάσταση', channel: 'Κανάλι', template: 'Πρότυπο', subject: 'Θέμα', text: 'Μήνυμα', send_confirm: 'Αποστολή του μηνύματος σε %{who} μέσω %{channel};', queued: 'Σε ουρά για αποστολή', templates: 'Πρότυπα', enabled: 'Αυτόματη αποστολή στο συμβάν του', log: 'Ιστορικό αποστολών', recipients: 'Παραλήπτες', at: 'Δημιουργία' },
    ai: { ask: 'Ερώτηση στον βοηθό', send: 'Ερώτηση', used: 'Ενέργειες που χρησιμοποιήθηκαν', proposal: 'Προτεινόμενη αλλαγή', run: 'Εκτέλεση', run_confirm: 'Εκτέλεση του %{action} όπως προτάθηκε, με τα δικαιώματά σας;', done: 'Ολοκληρώθηκε' },
    billing: { manual: 'Χειροκίνητο τιμολόγιο', description: 'Περιγραφή', quantity: 'Ποσότητα', unit_price: 'Τιμή μονάδας', add_line: 'Προσθήκη γραμμής', tools: 'Εργαλεία τιμολόγησης', dias_file: 'Αρχείο ΔΙΑΣ', dias_import: 'Εισαγωγή πληρωμών ΔΙΑΣ', dias_confirm: 'Εισαγωγή των πληρωμών του %{name} και εξόφληση των αντίστοιχων τιμολογίων;', erp_status: 'Κατάσταση συγχρονισμού ERP', erp_sync: 'Συγχρονισμός τώρα', erp_sync_confirm: 'Αποστολή εκκρεμών πελατών, τιμολογίων και πληρωμών στο ERP τώρα;' },
    router_health: { title: 'Κατάσταση', refresh: 'Ανανέωση', refresh_of: 'Ανανέωση της κατάστασης του %{name}', loading: 'Φόρτωση', source: 'Απάντησε μέσω', source_routeros_api: 'RouterOS API', source_snmp: 'SNMP', cpu: 'Φόρτος CPU', memory: 'Μνήμη σε χρήση', temperature: 'Θερμοκρασία', voltage: 'Τάση', uptime: 'Χρόνος λειτουργίας', version: 'Έκδοση', board: 'Πλακέτα', no_answer: 'Ο δρομολογητής δεν απάντησε από καμία πηγή:' },
    tenant: { suspend: 'Αναστολή', suspend_title: 'Αναστολή του %{slug}', suspend_confirm: 'Αναστολή του %{slug}; Το API του απαντά tenant_suspended και οι εργασίες του σταματούν μέχρι την επανενεργοποίηση.', cut_service: 'Διακοπή και της υπηρεσίας των συνδρομητών του', cut_service_on: 'Κάθε ενεργός συνδρομητής του %{slug} τίθεται σε αναστολή και αποσυνδέεται (εργασία στο παρασκήνιο)· με την επανενεργοποίηση του πελάτη η υπηρεσία τους επανέρχεται.', cut_service_off: 'Οι συνδρομητές του μένουν συνδεδεμένοι (οι εγγραφές RADIUS διατηρούνται).', resume: 'Επανενεργοποίηση', resume_confirm: 'Επανενεργοποίηση του %{slug}; Το API και οι εργασίες του λειτουργούν ξανά· οι συνδρομητές που διέκοψε η αναστολή παίρνουν πίσω την υπηρεσία τους (εργασία στο παρασκήνιο).', suspended: 'Ο πελάτης τέθηκε σε αναστολή', resumed: 'Ο πελάτης επανενεργοποιήθηκε', job_running: 'Σε εξέλιξη… %{done}/%{total}', job_completed: 'Ολοκληρώθηκε', job_failed: 'Η εργασία απέτυχε', job_cancelled: 'Ακυρώθηκε', job_queued: 'Σε αναμονή', cut_done: 'Διακόπηκε η υπηρεσία %{smart_count} συνδρομητών', restored: 'Επανήλθε η υπηρεσία %{smart_count} συνδρομητών' },
    ticket: { attachments: 'Συνημμένα', thread: 'Συζήτηση', internal: 'Εσωτερική σημείωση', reply: 'Απάντηση στον συνδρομητή', note: 'Εσωτερική σημείωση (δεν αποστέλλεται)', send: 'Αποστολή απάντησης', add_note: 'Προσθήκη σημείωσης', close: 'Κλείσιμο αιτήματος', close_confirm: 'Κλείσιμο του αιτήματος #%{id}; Μια απάντηση του συνδρομητή το ανοίγει ξανά.', closed: 'Το αίτημα έκλεισε', ai_draft: 'Πρόχειρο AI', ai_note: 'Το πρόχειρο AI μπαίνει μόνο στο πλαίσιο για επεξεργασία· τίποτα δεν αποστέλλεται πριν πατήσετε Αποστολή.' },
    status: { active: 'ενεργός', suspended: 'σε αναστολή', paid: 'εξοφλημένο', unpaid: 'ανεξόφλητο', overdue: 'ληξιπρόθεσμο', cancelled: 'ακυρωμένο', online: 'σε λειτουργία', offline: 'εκτός', open: 'ανοιχτό', pending: 'σε αναμονή', closed: 'κλειστό', in_progress: 'σε εξέλιξη', waiting: 'αναμονή', resolved: 'επιλύθηκε' },
    common: { language: 'Γλώσσα', confirm: 'Επιβεβαίωση', cancel: 'Άκυρο', forbidden: 'Δεν επιτρέπεται: %{message}', status: 'Κατάσταση', none: '—' },
  },
  resources: {
    customers: { name: 'Συνδρομητής |||| Συνδρομητές', fields: { username: 'Όνομα χρήστη', password: 'Κωδικός', fullname: 'Ονοματεπώνυμο', email: 'Email', phone: 'Τηλέφωνο', address: 'Διεύθυνση', afm: 'ΑΦΜ', plan: 'Πακέτο', plan_id: 'Πακέτο', router: 'Δρομολογητής', status: 'Κατάσταση', static_ip: 'Στατική IP', mac_address: 'Διεύθυνση MAC', created_at: 'Δημιουργία', q: 'Αναζήτηση' } },
    plans: { name: 'Πακέτο |||| Πακέτα', fields: { name: 'Όνομα', download: 'Λήψη', upload: 'Αποστολή', price: 'Τιμή', subscribers: 'Συνδρομητές', burst_limit: 'Όριο burst', burst_threshold: 'Κατώφλι burst', burst_time: 'Χρόνος burst', priority: 'Προτεραιότητα', rate_limit: 'Ταχύτητα' } },
    routers: { name: 'Δρομολογητής |||| Δρομολογητές', fields: { name: 'Όνομα', ip: 'Διεύθυνση IP', port: 'Θύρα API', user: 'Χρήστης API', pass: 'Κωδικός API', tls: 'TLS', radius_ip: 'Διεύθυνση RADIUS', radius_secret: 'Μυστικό RADIUS', coa_port: 'Θύρα CoA', mode: 'Λειτουργία', status: 'Κατάσταση', last_seen_at: 'Τελευταία επαφή', cpu_load_percent: 'CPU %', memory_used_percent: 'Μνήμη %', customers: 'Συνδρομητές', version: 'Έκδοση' } },
    invoices: { name: 'Τιμολόγιο |||| Τιμολόγια', fields: { number: 'Αριθμός', customer_id: 'Συνδρομητής', customer: 'Συνδρομητής', issue_date: 'Έκδοση', due_date: 'Λήξη', total: 'Σύνολο', status: 'Κατάσταση', month: 'Μήνας' } },
    sessions: { name: 'Σύνδεση |||| Συνδέσεις', fields: { username: 'Όνομα χρήστη', framed_ip: 'IP', nas_ip: 'NAS', started_at: 'Έναρξη' } },
    admins: { name: 'Διαχειριστής |||| Διαχειριστές', fields: { username: 'Όνομα χρήστη', password: 'Κωδικός', email: 'Email', role: 'Ρόλος', two_factor_enabled: '2FA' } },
    api_keys: { name: 'Κλειδί API |||| Κλειδιά API', fields: { name: 'Όνομα', admin: 'Διαχειριστής', created_at: 'Δημιουργία', last_used_at: 'Τελευταία χρήση' } },
    webhooks: { name: 'Webhook |||| Webhooks', fields: { url: 'URL', events: 'Συμβάντα', active: 'Ενεργό' } },
    inventory: { name: 'Κόμβος |||| Απογραφή', fields: { name: 'Όνομα', ip: 'IP', type: 'Τύπος', mac: 'MAC', vendor: 'Κατασκευαστής', status: 'Κατάσταση', created_at: 'Προσθήκη', q: 'Αναζήτηση' } },
    tenants: { name: 'Πελάτης πλατφόρμας |||| Πελάτες πλατφόρμας', fields: { slug: 'Slug', name: 'Όνομα', status: 'Κατάσταση', created_at: 'Δημιουργία' } },
    tickets: { name: 'Αίτημα |||| Αιτήματα', fields: { subject: 'Θέμα', status: 'Κατάσταση', priority: 'Προτεραιότητα', customer_id: 'Συνδρομητής', assigned_to: 'Ανάθεση', body: 'Μήνυμα', created_at: 'Άνοιγμα' } },
  },
};

/** Recent events, the webhook delivery log, payments and the theme colour. */
const enMore: Dict = {
  ispgate: {
    menu: { payments: 'Payments' },
    dashboard: { events: 'Recent events', no_events: 'No events yet.', event_at: 'When', event: 'Event', event_subject: 'About' },
    events: {
      customer_created: 'Subscriber created', customer_suspended: 'Subscriber suspended', customer_unsuspended: 'Subscriber unsuspended', customer_deleted: 'Subscriber deleted',
      invoice_generated: 'Invoice issued', invoice_paid: 'Invoice paid', invoice_voided: 'Invoice voided', payment_failed: 'Payment failed', ticket_created: 'Ticket opened',
      ticket_updated: 'Ticket updated', router_offline: 'Router offline', router_online: 'Router online', einvoice_submitted: 'e-invoice transmitted', webhook_test: 'Webhook test',
    },
    webhook: {
      log: 'Delivery log', all: 'All', empty: 'No deliveries.', event: 'Event', attempts: 'Attempts', last_code: 'Last response', last_attempt: 'Last attempt', next_attempt: 'Next attempt',
      error: 'Error', actions: 'Actions', redeliver: 'Redeliver', redeliver_confirm: 'Send delivery %{id} (%{event}) to %{url} again, with a fresh set of attempts?',
      history: 'history', attempted_at: 'Attempted', response: 'Response or error', duration: 'Took',
      redeliver_all: 'Redeliver all dead', redeliver_all_confirm: 'Send every dead delivery of %{url} again, with a fresh set of attempts?', queued: '%{smart_count} delivery queued again |||| %{smart_count} deliveries queued again',
    },
    payment: {
      totals: '%{smart_count} payment, %{amount} |||| %{smart_count} payments, %{amount} in total', none: 'No payments yet.',
      method_cash: 'Cash', method_bank_transfer: 'Bank transfer', method_dias: 'DIAS', method_manual: 'Manual', method_gateway: 'Any card gateway',
      method_stripe: 'Stripe', method_viva: 'Viva Wallet', method_revolut: 'Revolut', method_paypal: 'PayPal',
    },
    settings: { theme_color: 'Theme colour', theme_color_help: '#rrggbb; empty for the default blue' },
    status: { delivered: 'delivered', sending: 'sending', dead: 'dead' },
  },
  resources: {
    payments: { name: 'Payment |||| Payments', fields: { paid_on: 'Paid on', amount: 'Amount', amount_cents: 'Amount', method: 'Method', reference: 'Reference', invoice_no: 'Invoice', username: 'Subscriber', fullname: 'Full name', from: 'From', to: 'To' } },
  },
};

const elMore: Dict = {
  ispgate: {
    menu: { payments: 'Πληρωμές' },
    dashboard: { events: 'Πρόσφατα συμβάντα', no_events: 'Δεν υπάρχουν συμβάντα ακόμη.', event_at: 'Πότε', event: 'Συμβάν', event_subject: 'Αφορά' },
    events: {
      customer_created: 'Νέος συνδρομητής', customer_suspended: 'Αναστολή συνδρομητή', customer_unsuspended: 'Επανενεργοποίηση συνδρομητή', customer_deleted: 'Διαγραφή συνδρομητή',
      invoice_generated: 'Έκδοση τιμολογίου', invoice_paid: 'Εξόφληση τιμολογίου', invoice_voided: 'Ακύρωση τιμολογίου', payment_failed: 'Αποτυχία πληρωμής', ticket_created: 'Νέο αίτημα',
      ticket_updated: 'Ενημέρωση αιτήματος', router_offline: 'Δρομολογητής εκτός', router_online: 'Δρομολογητής σε λειτουργία', einvoice_submitted: 'Διαβίβαση στο myDATA', webhook_test: 'Δοκιμή webhook',
    },
    webhook: {
      log: 'Ιστορικό παραδόσεων', all: 'Όλες', empty: 'Δεν υπάρχουν παραδόσεις.', event: 'Συμβάν', attempts: 'Προσπάθειες', last_code: 'Τελευταία απάντηση', last_attempt: 'Τελευταία προσπάθεια', next_attempt: 'Επόμενη προσπάθεια',
      error: 'Σφάλμα', actions: 'Ενέργειες', redeliver: 'Νέα αποστολή', redeliver_confirm: 'Νέα αποστολή της παράδοσης %{id} (%{event}) στο %{url}, με νέο κύκλο προσπαθειών;',
      history: 'ιστορικό', attempted_at: 'Προσπάθεια', response: 'Απάντηση ή σφάλμα', duration: 'Διάρκεια',
      redeliver_all: 'Νέα αποστολή όλων των αποτυχημένων', redeliver_all_confirm: 'Νέα αποστολή κάθε αποτυχημένης παράδοσης προς %{url}, με νέο κύκλο προσπαθειών;', queued: '%{smart_count} παράδοση σε ουρά ξανά |||| %{smart_count} παραδόσεις σε ουρά ξανά',
    },
    payment: {
      totals: '%{smart_count} πληρωμή, %{amount} |||| %{smart_count} πληρωμές, σύνολο %{amount}', none: 'Δεν υπάρχουν πληρωμές ακόμη.',
      method_cash: 'Μετρητά', method_bank_transfer: 'Τραπεζική μεταφορά', method_dias: 'ΔΙΑΣ', method_manual: 'Χειροκίνητη', method_gateway: 'Οποιαδήποτε πύλη καρτών',
      method_stripe: 'Stripe', method_viva: 'Viva Wallet', method_revolut: 'Revolut', method_paypal: 'PayPal',
    },
    settings: { theme_color: 'Χρώμα θέματος', theme_color_help: '#rrggbb· κενό για το προεπιλεγμένο μπλε' },
    status: { delivered: 'παραδόθηκε', sending: 'σε αποστολή', dead: 'απέτυχε' },
  },
  resources: {
    payments: { name: 'Πληρωμή |||| Πληρωμές', fields: { paid_on: 'Ημερομηνία', amount: 'Ποσό', amount_cents: 'Ποσό', method: 'Τρόπος', reference: 'Αναφορά', invoice_no: 'Τιμολόγιο', username: 'Συνδρομητής', fullname: 'Ονοματεπώνυμο', from: 'Από', to: 'Έως' } },
  },
};

const messages: Record<string, Dict> = { en: merge(merge(englishMessages as unknown as Dict, en), enMore) };
messages.el = merge(merge(messages.en, el), elMore);

export const LOCALE_KEY = 'ispgate.locale';
export function initialLocale(): string {
  const saved = localStorage.getItem(LOCALE_KEY);
  if (saved === 'el' || saved === 'en') return saved;
  return navigator.language?.startsWith('el') ? 'el' : 'en';
}

export const i18nProvider = polyglotI18nProvider((locale) => (messages[locale] ?? messages.en) as any, initialLocale(), [
  { locale: 'en', name: 'English' },
  { locale: 'el', name: 'Ελληνικά' },
], { allowMissing: true });
