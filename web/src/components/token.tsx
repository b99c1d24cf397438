import { useState } from 'preact/hooks';
import { Field } from './ui';

/** Asks for the EMS token; it is kept in this tab's sessionStorage only. */
export function TokenForm({ onToken }: { onToken(token: string): void }) {
  const [token, setToken] = useState('');
  const [errors, setErrors] = useState({ fields: {} as Record<string, string[]>, form: [] as string[] });
  return (
    <section class="panel narrow" aria-labelledby="token-title">
      <h1 id="token-title">Sign in with an EMS token</h1>
      <p>
        The dashboard sends it to this gateway as <code>X-Auth-Token</code>. It is kept for this browser tab's session only and
        forgotten when the tab closes. With the built-in simulator, <code>npm start</code> prints one.
      </p>
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          const value = token.trim();
          if (!value) {
            setErrors({ fields: { token: ['Enter a token.'] }, form: [] });
            return;
          }
          onToken(value);
        }}
      >
        <Field
          name="token"
          label="EMS token"
          type="password"
          autoComplete="off"
          spellcheck={false}
          required
          value={token}
          onValue={setToken}
          errors={errors}
        />
        <div class="actions">
          <button type="submit" class="primary">
            Use this token
          </button>
        </div>
      </form>
    </section>
  );
}
