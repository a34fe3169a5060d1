// Running as a token's user: the pasted JWT, the deployment's verdict on it (checked by the
// deployment, never here) and the deployment's auth providers, loaded when first needed.
import { useEffect, useState } from "react";
import type { AuthProviderList, TokenCheck } from "../../generated/studio";
import { call, errorMessage } from "../../platform";

export interface TokenCheckState {
  token: string;
  setToken(token: string): void;
  /** The deployment's verdict on the token last checked. */
  check?: TokenCheck;
  /** Why the check itself could not be made. */
  error?: string;
  providers?: AuthProviderList;
  /** Checks the token; resolves to the verdict (undefined when the check failed). */
  verify(): Promise<TokenCheck | undefined>;
}

export function useTokenCheck(enabled: boolean): TokenCheckState {
  const [token, setTokenText] = useState("");
  const [check, setCheck] = useState<TokenCheck>();
  const [error, setError] = useState<string>();
  const [providers, setProviders] = useState<AuthProviderList>();

  useEffect(() => {
    if (!enabled || providers) return;
    let live = true;
    call("auth_providers")
      .then((list) => live && setProviders(list))
      .catch(() => live && setProviders({ available: false, providers: [] }));
    return () => {
      live = false;
    };
  }, [enabled, providers]);

  const setToken = (text: string) => {
    setTokenText(text);
    setCheck(undefined);
    setError(undefined);
  };

  const verify = async () => {
    try {
      const verdict = await call("verify_user_token", { token });
      setCheck(verdict);
      setError(undefined);
      return verdict;
    } catch (e) {
      setCheck(undefined);
      setError(errorMessage(e));
      return undefined;
    }
  };

  return { token, setToken, check, error, providers, verify };
}
