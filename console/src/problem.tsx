/**
 * What went wrong, said where it happened: announced to screen readers (`role="alert"`), and
 * nothing at all when there is no problem. `id` lets a form field point at it.
 */
export function Problem(props: { text: string | null | undefined; id?: string }) {
  if (!props.text) return null;
  return (
    <p class="problem" role="alert" {...(props.id ? { id: props.id } : {})}>
      {props.text}
    </p>
  );
}
