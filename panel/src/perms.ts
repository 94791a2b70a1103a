import { usePermissions } from 'react-admin';

export interface PanelPermissions {
  sections: Record<string, string>;
  /** Actions on this server the admin may call. */
  actions: string[];
}

/** `can('toggle_status')`: the action exists (describe) and the admin may call it (me). */
export function useCan(): (action: string) => boolean {
  const { permissions } = usePermissions<PanelPermissions>();
  const set = new Set(permissions?.actions ?? []);
  return (a: string) => set.has(a);
}
