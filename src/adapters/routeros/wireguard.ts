/**
 * WireGuard on RouterOS v7: the server interface (`/interface/wireguard`, created with a listen port if missing,
 * the router makes its own key pair) and one peer per tunnel (`/interface/wireguard/peers`). Each change returns its
 * undo, as in ./ops.ts.
 */
import { findOne, noUndo, type RouterWriter, type Undo } from './ops';

export const WG_MENU = { iface: '/interface/wireguard', peers: '/interface/wireguard/peers', address: '/ip/address' } as const;

export async function ensureWgInterface(
  s: RouterWriter,
  name: string,
  listenPort: number,
): Promise<{ publicKey: string; listenPort: number; undo: Undo }> {
  let row = await findOne(s, WG_MENU.iface, 'name', name);
  let undo: Undo = noUndo;
  if (!row) {
    const ret = await s.write(`${WG_MENU.iface}/add`, [`=name=${name}`, `=listen-port=${listenPort}`, '=comment=ispgate:wireguard-interface']);
    const id = ret.find((r) => r.ret)?.ret;
    if (id) undo = () => s.write(`${WG_MENU.iface}/remove`, [`=.id=${id}`]).then(() => undefined);
    row = await findOne(s, WG_MENU.iface, 'name', name);
  }
  const publicKey = row?.['public-key'];
  if (!publicKey) throw new Error(`the router printed no public-key for ${name}`);
  return { publicKey, listenPort: Number(row?.['listen-port'] ?? listenPort) || listenPort, undo };
}

/** Puts the gateway address on the interface if it is not there yet. */
export async function ensureInterfaceAddress(s: RouterWriter, iface: string, address: string): Promise<Undo> {
  const rows = await s.write(`${WG_MENU.address}/print`, [`?interface=${iface}`]);
  if (rows.some((r) => r.address === address)) return noUndo;
  const ret = await s.write(`${WG_MENU.address}/add`, [`=address=${address}`, `=interface=${iface}`, '=comment=ispgate:wireguard-gateway']);
  const id = ret.find((r) => r.ret)?.ret;
  return id ? () => s.write(`${WG_MENU.address}/remove`, [`=.id=${id}`]).then(() => undefined) : noUndo;
}

export interface WgPeerSpec {
  iface: string;
  publicKey: string;
  allowedAddress: string;
  presharedKey: string | null;
  comment: string;
}

/** Adds the peer (or takes over one left by an interrupted attempt with the same comment). */
export async function addWgPeer(s: RouterWriter, spec: WgPeerSpec): Promise<{ id: string; undo: Undo }> {
  const fields = [`=interface=${spec.iface}`, `=public-key=${spec.publicKey}`, `=allowed-address=${spec.allowedAddress}`, `=comment=${spec.comment}`];
  if (spec.presharedKey) fields.push(`=preshared-key=${spec.presharedKey}`);
  const leftover = await findOne(s, WG_MENU.peers, 'comment', spec.comment);
  if (leftover) await s.write(`${WG_MENU.peers}/remove`, [`=.id=${leftover['.id']}`]);
  const ret = await s.write(`${WG_MENU.peers}/add`, fields);
  const id = ret.find((r) => r.ret)?.ret;
  if (!id) throw new Error(`${WG_MENU.peers}/add returned no id`);
  return { id, undo: () => s.write(`${WG_MENU.peers}/remove`, [`=.id=${id}`]).then(() => undefined) };
}

/** Removes every peer carrying the comment; returns how many. */
export async function removeWgPeer(s: RouterWriter, comment: string): Promise<number> {
  const rows = (await s.write(`${WG_MENU.peers}/print`, [`?comment=${comment}`])).filter((r) => r['.id']);
  for (const r of rows) await s.write(`${WG_MENU.peers}/remove`, [`=.id=${r['.id']}`]);
  return rows.length;
}
