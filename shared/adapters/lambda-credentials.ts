import { fromEnv } from '@aws-sdk/credential-provider-env';

type Credentials = Awaited<ReturnType<ReturnType<typeof fromEnv>>>;

/**
 * Bundled in place of @aws-sdk/credential-provider-node (an esbuild alias, infra/constructs/ward-function.ts): Lambda
 * hands a function its role's credentials in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, so the
 * default chain's SSO, profile, process, web-identity and container providers, and the STS and SSO clients they carry
 * (130 KiB of every bundle), are never used there. The package's exports, the environment's credentials only.
 */
export const defaultProvider = (init: Parameters<typeof fromEnv>[0] = {}) => {
  const provider = fromEnv(init);
  let credentials: Promise<Credentials> | undefined;
  return async (): Promise<Credentials> => {
    credentials ??= provider().catch((error: unknown) => {
      credentials = undefined;
      throw error;
    });
    const found = await credentials;
    if (!credentialsTreatedAsExpired(found)) return found;
    credentials = undefined;
    return provider();
  };
};

export const credentialsWillNeedRefresh = (credentials: Credentials) => credentials.expiration !== undefined;

/** As the package has it: credentials with less than five minutes left are renewed. */
export const credentialsTreatedAsExpired = (credentials: Credentials) =>
  credentials.expiration !== undefined && credentials.expiration.getTime() - Date.now() < 300_000;
