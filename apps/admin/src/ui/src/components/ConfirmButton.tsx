import { Button, Group, Modal, Text, type ButtonProps } from '@mantine/core';
import { useState, type ReactNode } from 'react';

/** A button whose action only runs after an explicit confirmation (for revocations and deletions). */
export function ConfirmButton(props: ButtonProps & { label: string; title: string; message: ReactNode; confirmLabel: string; onConfirm: () => void; loading?: boolean }) {
  const { label, title, message, confirmLabel, onConfirm, loading, ...button } = props;
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button {...button} onClick={() => setOpen(true)}>
        {label}
      </Button>
      <Modal opened={open} onClose={() => setOpen(false)} title={title}>
        <Text mb="md">{message}</Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={() => setOpen(false)}>
            Cancel
          </Button>
          <Button
            color="red"
            loading={loading}
            onClick={() => {
              onConfirm();
              setOpen(false);
            }}
          >
            {confirmLabel}
          </Button>
        </Group>
      </Modal>
    </>
  );
}
