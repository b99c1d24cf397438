import { useState } from 'preact/hooks';
import { NO_ERRORS, type FormErrors } from '../errors';
import type { Credentials } from '../token';
import { Field, FormErrorList } from './ui';

/** Asks for what the dashboard signs in with; kept in this tab's sessionStorage only. */
export function TokenForm({ onToken }: { onToken(credentials: Credentials): void }) {
  const [emsToken, setEmsToken] = useState('');
  const [gatewayKey, setGatewayKey] = useState('');
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  return (
    <section class="panel narrow" aria-labelledby="token-title">
      <h1 id="token-title">Sign in</h1>
      <p>
        Kept for this browser tab's session only, and forgotten when the tab closes. With the built-in simulator,{' '}
        <code>npm start</code> prints an EMS token to use.
      </p>
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          const credentials = { emsToken: emsToken.trim() || null, gatewayKey: gatewayKey.trim() || null };
          if (!credentials.emsToken && !credentials.gatewayKey) {
            setErrors({ fields: {}, form: ['Enter an EMS token, a gateway credential, or both.'] });
            return;
          }
          onToken(credentials);
        }}
      >
        <Field
          name="emsToken"
          label="EMS token"
          type="password"
          autoComplete="off"
          spellcheck={false}
          value={emsToken}
          onValue={setEmsToken}
          errors={errors}
          hint="Sent as X-Auth-Token and passed through to EMS. Not needed when the gateway signs its EMS calls itself."
        />
        <Field
          name="gatewayKey"
          label="Gateway credential"
          type="password"
          autoComplete="off"
          spellcheck={false}
          value={gatewayKey}
          onValue={setGatewayKey}
          errors={errors}
          hint="An API key or a JWT, when the gateway authenticates its callers (GATEWAY_AUTH=apikey or jwt). Sent as Authorization: Bearer."
        />
        <FormErrorList errors={errors} />
        <div class="actions">
          <button type="submit" class="primary">
            Sign in
          </button>
        </div>
      </form>
    </section>
  );
}
