/** net-snmp ships no typings; the adapter in this folder is the only place that touches it. */
declare module 'net-snmp';
