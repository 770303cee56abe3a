// A real OpenID Connect provider for the single sign-on tests: the npm package oidc-provider, with its own
// development sign-in pages (any login name; the account's claims come from ACCOUNTS below).
// Usage: node tests/oidc/provider.mjs PORT REDIRECT_URI POST_LOGOUT_URI
import Provider from "oidc-provider";

const [port, redirectUri, postLogoutUri] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;

const ACCOUNTS = {
  ada: { email: "ada@council.example", name: "Ada Admin", groups: ["notify-admins"] },
  casey: { email: "casey@council.example", name: "Casey Worker", groups: ["notify-caseworkers", "all-staff"] },
  audrey: { email: "audrey@council.example", name: "Audrey Auditor", groups: ["notify-auditors"] },
  nobody: { email: "nobody@council.example", name: "No Body", groups: ["all-staff"] },
};

const provider = new Provider(issuer, {
  clients: [{
    client_id: "case-notifications",
    client_secret: "a-test-client-secret-of-enough-length",
    redirect_uris: [redirectUri],
    post_logout_redirect_uris: [postLogoutUri],
    grant_types: ["authorization_code"],
    response_types: ["code"],
    token_endpoint_auth_method: "client_secret_post",
  }],
  claims: { openid: ["sub"], email: ["email"], profile: ["name"], groups: ["groups"] },
  scopes: ["openid", "email", "profile", "groups"],
  conformIdTokenClaims: false, // the ID token carries the claims asked for (the groups among them)
  findAccount: async (ctx, sub) => ({
    accountId: sub,
    claims: async () => ({ sub, ...(ACCOUNTS[sub] || { email: `${sub}@council.example`, groups: [] }) }),
  }),
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  ttl: { Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60, Interaction: 600 },
});
provider.proxy = false;
provider.listen(Number(port), "127.0.0.1", () => console.log(`oidc-provider ready on ${issuer}`));
