import { useEffect, useRef, useState } from 'preact/hooks';

/**
 * A destructive action behind a second press: the button becomes a question with "Yes" and
 * "Keep it". The button pressed is swapped out, so focus goes to the one that answers it
 * (and back on "Keep it"), never to <body>. After "Yes" focus is the page's to place: the
 * item acted on usually goes away.
 */
export function ConfirmedAction(props: {
  /** The button's label, e.g. "Delete". */
  label: string;
  /** What is about to happen, asked before it does. */
  question: string;
  /** The confirming button's label, e.g. "Yes, delete". */
  confirmLabel: string;
  /** Runs on "Yes"; true when done (the question closes), false to keep it open. */
  onConfirm(): Promise<boolean>;
}) {
  const { label, question, confirmLabel, onConfirm } = props;
  const [confirming, setConfirming] = useState(false);
  const actionButton = useRef<HTMLButtonElement>(null);
  const confirmButton = useRef<HTMLButtonElement>(null);
  const mounted = useRef(false);
  const done = useRef(false);
  useEffect(() => {
    if (mounted.current && !done.current) {
      (confirming ? confirmButton : actionButton).current?.focus();
    }
    mounted.current = true;
    done.current = false;
  }, [confirming]);

  const confirm = async () => {
    if (!(await onConfirm())) return;
    done.current = true;
    setConfirming(false);
  };
  return confirming ? (
    <>
      <span>{question}</span>
      <button type="button" class="danger" ref={confirmButton} onClick={confirm}>
        {confirmLabel}
      </button>
      <button type="button" onClick={() => setConfirming(false)}>
        Keep it
      </button>
    </>
  ) : (
    <button type="button" class="danger" ref={actionButton} onClick={() => setConfirming(true)}>
      {label}
    </button>
  );
}
