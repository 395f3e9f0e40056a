import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { resourcesOf, synthesize, synthesizeApp } from './synth.ts';

let template: Template;
let outdir: string;
let consoleDist: string;

beforeAll(() => {
  // A console build as `npm run build:console` leaves it, with a config.json for the local stack.
  consoleDist = mkdtempSync(join(tmpdir(), 'console-dist-'));
  mkdirSync(join(consoleDist, 'assets'));
  writeFileSync(join(consoleDist, 'index.html'), '<!doctype html><script src="assets/app.js">');
  writeFileSync(join(consoleDist, 'assets', 'app.js'), 'fetch("./config.json");');
  writeFileSync(
    join(consoleDist, 'config.json'),
    JSON.stringify({
      graphqlUrl: 'http://localhost:4000/graphql',
      region: 'us-east-1',
      userPoolId: 'local_pool',
      userPoolClientId: 'localclient',
      cognitoEndpoint: 'http://localhost:4003',
      authFlowType: 'USER_PASSWORD_AUTH',
    }),
  );
  ({ template, outdir } = synthesizeApp({ console: true, consoleDist }));
}, 120_000);

/** The one resource of a type, with its logical id. */
function only(type: string) {
  const entries = Object.entries(resourcesOf(template, type));
  expect(entries, type).toHaveLength(1);
  const [logicalId, resource] = entries[0]!;
  return { logicalId, properties: resource.Properties };
}

/** The console's deployments: the page (with config.json) and the hashed assets. */
function deployments() {
  const entries = Object.entries(resourcesOf(template, 'Custom::CDKBucketDeployment'));
  expect(entries).toHaveLength(2);
  const find = (prefix: string | undefined) => {
    const entry = entries.find(([, r]) => r.Properties.DestinationBucketKeyPrefix === prefix);
    expect(entry, `the deployment to ${prefix ?? 'the root'}`).toBeDefined();
    const [logicalId, resource] = entry!;
    return { logicalId, properties: resource.Properties, dependsOn: resource.DependsOn ?? [] };
  };
  return { page: find(undefined), assets: find('assets/') };
}

/** A CloudFormation string as text, references written as `{Logical.Attribute}` or `{Ref}`. */
function render(value: unknown): string {
  if (typeof value === 'string') return value;
  const intrinsic = value as Record<string, unknown>;
  if ('Fn::Join' in intrinsic) {
    const [separator, parts] = intrinsic['Fn::Join'] as [string, unknown[]];
    return parts.map(render).join(separator);
  }
  if ('Fn::GetAtt' in intrinsic) return `{${(intrinsic['Fn::GetAtt'] as string[]).join('.')}}`;
  if ('Ref' in intrinsic) return `{${intrinsic.Ref as string}}`;
  throw new Error(`Unexpected value ${JSON.stringify(value)}`);
}

const apiAttribute = (attribute: string) =>
  `{${only('AWS::AppSync::GraphQLApi').logicalId}.${attribute}}`;

describe('the operator console', () => {
  it('given a built console, then cdk-nag AwsSolutions finds nothing unacknowledged (synth would throw)', () => {
    expect(() => synthesize({ console: true, consoleDist })).not.toThrow();
  });

  it('given the buckets, then each blocks public access, is encrypted and refuses requests without TLS', () => {
    const buckets = Object.entries(resourcesOf(template, 'AWS::S3::Bucket'));
    expect(buckets).toHaveLength(2); // the site and its access logs
    const policies = Object.values(resourcesOf(template, 'AWS::S3::BucketPolicy'));
    for (const [logicalId, bucket] of buckets) {
      expect(bucket.Properties, logicalId).toMatchObject({
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
          ],
        },
      });
      const policy = policies.find(
        (p) => JSON.stringify(p.Properties.Bucket) === JSON.stringify({ Ref: logicalId }),
      );
      expect(policy?.Properties.PolicyDocument, logicalId).toMatchObject({
        Statement: expect.arrayContaining([
          expect.objectContaining({
            Effect: 'Deny',
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      });
    }
  });

  it('given the distribution, then it reads the private bucket through Origin Access Control, redirects HTTP to HTTPS and serves index.html at /', () => {
    const distribution = only('AWS::CloudFront::Distribution');
    const oac = only('AWS::CloudFront::OriginAccessControl');
    expect(oac.properties.OriginAccessControlConfig).toMatchObject({
      OriginAccessControlOriginType: 's3',
      SigningBehavior: 'always',
      SigningProtocol: 'sigv4',
    });
    const config = distribution.properties.DistributionConfig as Record<string, unknown>;
    expect(config).toMatchObject({
      DefaultRootObject: 'index.html',
      DefaultCacheBehavior: { ViewerProtocolPolicy: 'redirect-to-https' },
    });
    const [origin] = config.Origins as Record<string, unknown>[];
    expect(origin?.OriginAccessControlId).toEqual({ 'Fn::GetAtt': [oac.logicalId, 'Id'] });
    expect(origin?.S3OriginConfig).toEqual({ OriginAccessIdentity: '' });
    const site = (origin?.DomainName as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0];
    // Only CloudFront, for this distribution, may read the site's files.
    const reads = Object.values(resourcesOf(template, 'AWS::S3::BucketPolicy'))
      .filter((p) => JSON.stringify(p.Properties.Bucket) === JSON.stringify({ Ref: site }))
      .flatMap(
        (p) => (p.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement,
      )
      .filter((s) => s.Effect === 'Allow' && JSON.stringify(s.Action).includes('s3:GetObject'));
    expect(reads).toHaveLength(1);
    expect(reads[0]?.Principal).toEqual({ Service: 'cloudfront.amazonaws.com' });
    expect(render(Object.values(reads[0]?.Condition as object)[0]['AWS:SourceArn'])).toContain(
      `distribution/{${distribution.logicalId}}`,
    );
  });

  it("given the security headers, then the CSP lets the page connect only to itself, this stack's GraphQL and real-time endpoints and the region's Cognito endpoint", () => {
    const policy = only('AWS::CloudFront::ResponseHeadersPolicy');
    const config = policy.properties.ResponseHeadersPolicyConfig as {
      SecurityHeadersConfig: Record<string, Record<string, unknown>>;
    };
    const headers = config.SecurityHeadersConfig;
    const directives = new Map(
      render(headers.ContentSecurityPolicy?.ContentSecurityPolicy)
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .map(([name, ...sources]) => [name, sources.join(' ')]),
    );
    expect(directives.get('connect-src')).toBe(
      `'self' ${apiAttribute('GraphQLUrl')} ${apiAttribute('RealtimeUrl')} https://cognito-idp.{AWS::Region}.{AWS::URLSuffix}`,
    );
    expect(directives.get('default-src')).toBe("'none'");
    expect(directives.get('script-src')).toBe("'self'");
    expect(directives.get('style-src')).toBe("'self'");
    expect(directives.get('img-src')).toBe("'self' data:");
    expect(directives.get('frame-ancestors')).toBe("'none'");
    expect(headers.ContentSecurityPolicy?.Override).toBe(true);
    expect(headers.StrictTransportSecurity?.AccessControlMaxAgeSec).toBeGreaterThanOrEqual(
      31_536_000,
    );
    expect(headers.FrameOptions?.FrameOption).toBe('DENY');
    expect(headers.ContentTypeOptions?.Override).toBe(true);
    const distribution = only('AWS::CloudFront::Distribution').properties.DistributionConfig;
    expect(distribution).toMatchObject({
      DefaultCacheBehavior: { ResponseHeadersPolicyId: { Ref: policy.logicalId } },
    });
  });

  it("given the deployment, then config.json carries the GraphQL endpoint, region, user pool and client ids, and nothing of the local build's config is deployed", () => {
    const { page, assets } = deployments();
    const deployment = page.properties;
    const keys = deployment.SourceObjectKeys as string[];
    const markers = deployment.SourceMarkers as Record<string, unknown>[];
    const stage = (key: string) => join(outdir, `asset.${key.replace(/\.zip$/, '')}`);
    const staged = keys.map(stage);
    const configSource = staged.findIndex((dir) => existsSync(join(dir, 'config.json')));
    // The build's own config.json (the local endpoints) is left out; only the generated one ships.
    expect(staged.filter((dir) => existsSync(join(dir, 'config.json')))).toHaveLength(1);
    expect(staged.some((dir) => existsSync(join(dir, 'index.html')))).toBe(true);
    const text = readFileSync(join(staged[configSource]!, 'config.json'), 'utf8');
    const config = JSON.parse(
      text.replace(/<<marker:[^>]+>>/g, (marker) => render(markers[configSource]?.[marker])),
    );
    expect(config).toEqual({
      graphqlUrl: apiAttribute('GraphQLUrl'),
      region: '{AWS::Region}',
      userPoolId: `{${only('AWS::Cognito::UserPool').logicalId}}`,
      userPoolClientId: `{${only('AWS::Cognito::UserPoolClient').logicalId}}`,
    });
    // The page's files do not carry the assets again; those come from their own deployment.
    expect(staged.some((dir) => existsSync(join(dir, 'assets')))).toBe(false);
    const assetDirs = (assets.properties.SourceObjectKeys as string[]).map(stage);
    expect(assetDirs.some((dir) => existsSync(join(dir, 'app.js')))).toBe(true);
    for (const dir of [...staged, ...assetDirs]) {
      for (const file of readdirSync(dir, { recursive: true, withFileTypes: true })) {
        if (!file.isFile()) continue;
        const content = readFileSync(join(file.parentPath, file.name), 'utf8');
        expect(content, file.name).not.toMatch(
          /apiKey|USER_PASSWORD_AUTH|cognitoEndpoint|localhost/i,
        );
      }
    }
  });

  it('given the deployment, then the page and config.json are revalidated by browsers and invalidated at the edges, after the assets are in', () => {
    const { page, assets } = deployments();
    expect(page.properties.DistributionId).toEqual({
      Ref: only('AWS::CloudFront::Distribution').logicalId,
    });
    expect(page.properties.DistributionPaths).toEqual(['/*']);
    expect(page.properties.SystemMetadata).toEqual({
      'cache-control': 'max-age=0, s-maxage=31536000',
    });
    // The page neither replaces nor prunes the assets, and goes only once they are uploaded.
    expect(page.properties.Exclude).toEqual(['assets/*']);
    expect(page.dependsOn).toContain(assets.logicalId);
  });

  it('given the hashed assets, then browsers keep them a year without asking, and a deployment never deletes older ones', () => {
    const { assets } = deployments();
    expect(assets.properties.SystemMetadata).toEqual({
      'cache-control': 'public, max-age=31536000, immutable',
    });
    expect(assets.properties.Prune).toBe(false);
    expect(assets.properties.DistributionId).toBeUndefined();
  });

  it('given the console, then the ConsoleUrl output is the distribution domain over HTTPS', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(render(outputs.ConsoleUrl?.Value)).toBe(
      `https://{${only('AWS::CloudFront::Distribution').logicalId}.DomainName}`,
    );
  });

  it('given -c console=false, then there is no bucket, distribution or ConsoleUrl', () => {
    const without = synthesize({ console: 'false', consoleDist });
    expect(resourcesOf(without, 'AWS::S3::Bucket')).toEqual({});
    expect(resourcesOf(without, 'AWS::CloudFront::Distribution')).toEqual({});
    expect(resourcesOf(without, 'Custom::CDKBucketDeployment')).toEqual({});
    expect(Object.keys(without.toJSON().Outputs as object)).not.toContain('ConsoleUrl');
  });

  it('given no console build, then synth stops and says to build the console first', () => {
    const empty = mkdtempSync(join(tmpdir(), 'console-dist-'));
    expect(() => synthesize({ console: true, consoleDist: empty })).toThrow(
      `The console is not built: no index.html in ${empty}. Build the console first: npm run build:console`,
    );
  });

  it('given -c console=yes, then synth stops with a clear error', () => {
    expect(() => synthesize({ console: 'yes' })).toThrow(
      "Context console must be true or false; got 'yes'",
    );
  });
});
