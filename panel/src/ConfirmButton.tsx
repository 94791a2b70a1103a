import { useState, type ReactNode } from 'react';
import { Button, Confirm } from 'react-admin';

/** A button that says what it will do and asks before doing it (every destructive operation). */
export function ConfirmButton(props: { label: string; title: string; content: string; onConfirm: () => Promise<unknown> | void; icon?: ReactNode; disabled?: boolean; color?: 'primary' | 'error' | 'warning' | 'inherit' }) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  return (
    <>
      <Button label={props.label} onClick={() => setOpen(true)} disabled={props.disabled || busy} color={props.color ?? 'primary'}>
        {props.icon as any}
      </Button>
      <Confirm
        isOpen={open}
        loading={busy}
        title={props.title}
        content={props.content}
        onConfirm={async () => {
          setBusy(true);
          try {
            await props.onConfirm();
          } finally {
            setBusy(false);
            setOpen(false);
          }
        }}
        onClose={() => setOpen(false)}
      />
    </>
  );
}
