import { useEffect, useRef, useState } from 'preact/hooks';
import type { SignInProgress } from './session.ts';
import { continueSignIn, startSignIn } from './session.ts';
import type { SignedInUser } from './user.ts';
import { Problem } from './problem.tsx';

type Step = Exclude<SignInProgress['step'], 'done'>;

/**
 * Sign-in with e-mail and password, then whatever the user pool asks next: a new password
 * for an account an admin created, or the authenticator app's code when the user set up MFA.
 * `notice` says why the user is here again (their session ended, they signed out).
 */
export function SignInPage(props: { notice: string | null; onSignedIn(user: SignedInUser): void }) {
  const [step, setStep] = useState<Step | 'credentials'>('credentials');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [answer, setAnswer] = useState('');
  const [confirmation, setConfirmation] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  // Each step's form replaces the last: the user continues in its first field.
  useEffect(() => {
    form.current?.querySelector<HTMLElement>('input')?.focus();
  }, [step]);

  const run = async (work: () => Promise<SignInProgress>) => {
    setBusy(true);
    setProblem(null);
    try {
      const next = await work();
      if (next.step === 'done') props.onSignedIn(next.user);
      else {
        setAnswer('');
        setConfirmation('');
        setStep(next.step);
      }
    } catch (error) {
      setProblem(error instanceof Error ? error.message : String(error));
    } finally {
      setBusy(false);
    }
  };

  const submit = (event: Event) => {
    event.preventDefault();
    if (step === 'credentials') {
      if (!email.trim() || !password) return setProblem('Enter your e-mail address and password.');
      return void run(() => startSignIn(email.trim(), password));
    }
    if (step === 'new-password' && answer !== confirmation) {
      return setProblem('The two passwords differ.');
    }
    if (!answer.trim()) {
      return setProblem(step === 'totp-code' ? 'Enter the code.' : 'Enter a new password.');
    }
    return void run(() => continueSignIn(step === 'totp-code' ? answer.trim() : answer));
  };

  return (
    <section class="sign-in" aria-labelledby="sign-in-heading">
      <h1 id="sign-in-heading">
        {step === 'new-password'
          ? 'Choose a new password'
          : step === 'totp-code'
            ? 'Enter your authenticator code'
            : 'Sign in'}
      </h1>
      {props.notice && step === 'credentials' && (
        <p class="notice" role="status">
          {props.notice}
        </p>
      )}
      <form
        ref={form}
        class="sign-in-form"
        noValidate
        onSubmit={submit}
        aria-labelledby="sign-in-heading"
      >
        {step === 'credentials' && (
          <>
            <div class="field">
              <label for="sign-in-email">E-mail</label>
              <input
                id="sign-in-email"
                type="email"
                autoComplete="username"
                value={email}
                onInput={(e) => setEmail(e.currentTarget.value)}
              />
            </div>
            <div class="field">
              <label for="sign-in-password">Password</label>
              <input
                id="sign-in-password"
                type="password"
                autoComplete="current-password"
                value={password}
                onInput={(e) => setPassword(e.currentTarget.value)}
              />
            </div>
          </>
        )}
        {step === 'new-password' && (
          <>
            <p>Your account was created with a temporary password. Choose your own to continue.</p>
            <div class="field">
              <label for="sign-in-new-password">New password</label>
              <input
                id="sign-in-new-password"
                type="password"
                autoComplete="new-password"
                value={answer}
                onInput={(e) => setAnswer(e.currentTarget.value)}
              />
            </div>
            <div class="field">
              <label for="sign-in-confirm-password">New password again</label>
              <input
                id="sign-in-confirm-password"
                type="password"
                autoComplete="new-password"
                value={confirmation}
                onInput={(e) => setConfirmation(e.currentTarget.value)}
              />
            </div>
          </>
        )}
        {step === 'totp-code' && (
          <div class="field">
            <label for="sign-in-code">Code</label>
            <input
              id="sign-in-code"
              type="text"
              inputMode="numeric"
              autoComplete="one-time-code"
              value={answer}
              onInput={(e) => setAnswer(e.currentTarget.value)}
            />
          </div>
        )}
        <Problem text={problem} />
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : step === 'credentials' ? 'Sign in' : 'Continue'}
        </button>
      </form>
    </section>
  );
}
