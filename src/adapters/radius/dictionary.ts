import radius from 'radius';

/**
 * The MikroTik vendor attributes ispgate sends or reads (vendor 14988, numbering as FreeRADIUS's
 * dictionary.mikrotik). Kept in code rather than read from /usr/share/freeradius so the gateway does not need
 * FreeRADIUS installed on its own host.
 */
const MIKROTIK = `
VENDOR Mikrotik 14988
BEGIN-VENDOR Mikrotik
ATTRIBUTE Mikrotik-Recv-Limit 1 integer
ATTRIBUTE Mikrotik-Xmit-Limit 2 integer
ATTRIBUTE Mikrotik-Group 3 string
ATTRIBUTE Mikrotik-Rate-Limit 8 string
ATTRIBUTE Mikrotik-Realm 9 string
ATTRIBUTE Mikrotik-Address-List 19 string
END-VENDOR Mikrotik
`;

export const MIKROTIK_VENDOR_ID = 14988;

let loaded = false;

/** The radius package keeps dictionaries in module state and loads its RFC set lazily; ours goes on top once. */
export function ensureDictionaries(): typeof radius {
  if (!loaded) {
    radius.load_dictionaries();
    radius._load_dictionary(MIKROTIK);
    loaded = true;
  }
  return radius;
}
