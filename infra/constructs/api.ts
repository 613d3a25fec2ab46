import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { type CfnStage, HttpApi, HttpMethod, HttpNoneAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import {
  AccountRecovery,
  CfnUserPoolGroup,
  FeaturePlan,
  ManagedLoginVersion,
  Mfa,
  OAuthScope,
  UserPool,
  type UserPoolClient,
  UserPoolClientIdentityProvider,
} from 'aws-cdk-lib/aws-cognito';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { FunctionName } from '../../shared/blueprint/resources.ts';
import { routes } from '../../shared/blueprint/routes.ts';
import type { RouteSpec } from '../../shared/blueprint/types.ts';
import type { StaffTokens } from '../../shared/blueprint/wiring.ts';
import type { WardConfig } from '../../shared/config/ward.ts';
import { AUTHORIZER_CACHE_SECONDS, STAFF_SCOPE, staffRoles } from '../../shared/http/auth.ts';

const publicReasons: Partial<Record<FunctionName, string>> = {
  health: 'health checks by monitors carry no token; the answer says only whether the ward and its table answer',
  openapi: 'the API description helps portal integrators and reveals no data',
  catalog: 'the law requires the procedure catalog to be published (Decree 118/2025)',
  'public-lookup': 'citizens look up and rate their dossier with the receipt PIN, checked by the function',
  'public-feedback':
    'citizens file feedback without an account (rate-limited per source and overall) and follow it by code and PIN',
};

/**
 * Who may call what: a Cognito user pool with a group per staff role (MFA required) and an app client for the
 * staff application, and the HTTP API whose Lambda authorizer (the blueprint's `authorizer` function) checks every
 * route the blueprint does not declare public: a staff access token of this pool, or a token a portal signed with
 * a key the ward configuration registers for it, each let through where the route's access rule allows it (the
 * functions check roles and scopes again). Portals need no app client: their own keys cost nothing a month.
 */
export class WardApi extends Construct {
  readonly userPool: UserPool;
  readonly httpApi: HttpApi;
  readonly staffClient: UserPoolClient;

  constructor(scope: Construct, id: string, props: { ward: WardConfig }) {
    super(scope, id);
    const { ward } = props;

    this.userPool = new UserPool(this, 'Staff', {
      userPoolName: `motcua-${ward.id}`,
      selfSignUpEnabled: false,
      signInAliases: { username: true, email: true },
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 12,
        requireDigits: true,
        requireLowercase: true,
        requireUppercase: true,
        requireSymbols: true,
      },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      // The cheapest plan with all the pool uses: TOTP MFA, groups, SRP and the classic hosted UI are all in Lite.
      featurePlan: FeaturePlan.LITE,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG8',
      reason:
        "Plus buys threat protection (risk-based sign-in, compromised-password checks) at US$0.02 per active user with no free tier. Here every account is created by an administrator (no self sign-up), MFA (TOTP) is required for all, passwords have 12+ characters of four kinds and sign-in errors do not reveal accounts; Lite's first 10,000 active users are free, so a ward's staff costs nothing.",
    });
    for (const role of staffRoles) {
      new CfnUserPoolGroup(this, `Group-${role}`, {
        userPoolId: this.userPool.userPoolId,
        groupName: role,
        description: `motcua ${role}`,
      });
    }
    // The classic hosted UI: managed login (version 2) needs the Essentials plan.
    this.userPool.addDomain('Domain', {
      cognitoDomain: { domainPrefix: ward.deploy.authDomainPrefix },
      managedLoginVersion: ManagedLoginVersion.CLASSIC_HOSTED_UI,
    });

    // Staff sign in with SRP (the app talks to Cognito's API) or, when the ward names the staff app's URLs,
    // through the hosted UI with the authorization-code flow only: no client secret (it is a public client, so
    // the app must use PKCE, which Cognito verifies whenever a code challenge was sent), no implicit grant.
    // Either way the access token carries STAFF_SCOPE, which the staff routes require.
    const { staffApp } = ward;
    this.staffClient = this.userPool.addClient('StaffApp', {
      userPoolClientName: 'staff-app',
      generateSecret: false,
      authFlows: { userSrp: true },
      ...(staffApp
        ? {
            oAuth: {
              flows: { authorizationCodeGrant: true, implicitCodeGrant: false, clientCredentials: false },
              scopes: [OAuthScope.OPENID, OAuthScope.custom(STAFF_SCOPE)],
              callbackUrls: staffApp.callbackUrls,
              logoutUrls: staffApp.logoutUrls,
            },
            supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
          }
        : { disableOAuth: true }),
      accessTokenValidity: Duration.hours(8),
      refreshTokenValidity: Duration.days(7),
      preventUserExistenceErrors: true,
    });
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.ONE_YEAR });
    this.httpApi = new HttpApi(this, 'Http', {
      apiName: `motcua-${ward.id}`,
      description: `motcua API of ${ward.name}`,
      createDefaultStage: true,
    });
    const stage = this.httpApi.defaultStage!.node.defaultChild as CfnStage;
    stage.accessLogSettings = {
      destinationArn: accessLogs.logGroupArn,
      // No query strings or bodies: they can carry a lookup PIN or personal data.
      format: JSON.stringify({
        requestId: '$context.requestId',
        ip: '$context.identity.sourceIp',
        time: '$context.requestTime',
        routeKey: '$context.routeKey',
        status: '$context.status',
        latencyMs: '$context.responseLatency',
        integrationError: '$context.integrationErrorMessage',
        // The authorizer's context: `staff:<user id>` or `portal:<portal id>`, nothing personal.
        caller: '$context.authorizer.caller',
      }),
    };
    stage.defaultRouteSettings = { throttlingBurstLimit: 200, throttlingRateLimit: 100 };
    stage.routeSettings = Object.fromEntries(
      (Object.entries(routes) as [string, RouteSpec<FunctionName>][])
        .filter(([, spec]) => spec.throttle)
        // RouteSettings is raw JSON in CloudFormation: its members keep their PascalCase names.
        .map(([key, spec]) => [
          key,
          { ThrottlingRateLimit: spec.throttle!.ratePerSecond, ThrottlingBurstLimit: spec.throttle!.burst },
        ]),
    );
  }

  /** Whose tokens are staff's, for the authorizer: this pool's issuer and the staff app client. */
  staffTokens(): StaffTokens {
    return {
      issuer: `https://cognito-idp.${Stack.of(this).region}.amazonaws.com/${this.userPool.userPoolId}`,
      clientId: this.staffClient.userPoolClientId,
    };
  }

  /**
   * Adds every route of the blueprint, each to its function; public routes skip the authorizer. Its answers are
   * cached per token and route (`$context.routeKey` is part of the cache key), since whether it lets a token
   * through depends on the route.
   */
  addRoutes(functions: Record<FunctionName, IFunction>): void {
    const authorizer = new HttpLambdaAuthorizer('Tokens', functions.authorizer, {
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      identitySource: ['$request.header.Authorization', '$context.routeKey'],
      resultsCacheTtl: Duration.seconds(AUTHORIZER_CACHE_SECONDS),
    });
    const integrations = new Map<FunctionName, HttpLambdaIntegration>();
    for (const [key, spec] of Object.entries(routes) as [string, RouteSpec<FunctionName>][]) {
      const [method, path] = key.split(' ') as [keyof typeof HttpMethod, string];
      let integration = integrations.get(spec.function);
      if (!integration) {
        integration = new HttpLambdaIntegration(`${spec.function}-integration`, functions[spec.function]);
        integrations.set(spec.function, integration);
      }
      const isPublic = 'public' in spec.access;
      const [route] = this.httpApi.addRoutes({
        path,
        methods: [HttpMethod[method]],
        integration,
        authorizer: isPublic ? new HttpNoneAuthorizer() : authorizer,
      });
      if (isPublic) {
        Validations.of(route!).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: `${key} is public by design: ${publicReasons[spec.function] ?? 'declared public in the blueprint'}.`,
        });
      }
    }
  }
}
