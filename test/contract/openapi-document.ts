import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** The subset of JSON Schema the committed document uses, as plain data. */
export type JsonSchema = {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  nullable?: boolean;
  default?: unknown;
  description?: string;
};

export interface Parameter {
  name: string;
  in: 'query' | 'header' | 'path' | 'cookie';
  required?: boolean;
  schema: JsonSchema;
}

export interface Operation {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The path template, e.g. `/v1/feedback/{id}`. */
  path: string;
  operationId: string;
  /** `x-wedid-roles`: who may call it, `public` when no key is needed. */
  roles: string[];
  parameters: Parameter[];
  /** Media type → schema of the request body, when the operation takes one. */
  requestBody?: { required: boolean; content: Record<string, JsonSchema> };
  /** Status → media type → schema (an empty record for a response without a body). */
  responses: Record<string, Record<string, JsonSchema>>;
}

interface Document {
  paths: Record<
    string,
    Record<
      string,
      {
        operationId: string;
        'x-wedid-roles'?: string[];
        parameters?: Parameter[];
        requestBody?: { required?: boolean; content: Record<string, { schema: JsonSchema }> };
        responses: Record<string, { content?: Record<string, { schema: JsonSchema }> }>;
      }
    >
  >;
  components: { schemas: Record<string, JsonSchema> };
}

/** The committed contract, read at test time so routes added later are covered without edits here. */
export const openApiDocument = JSON.parse(readFileSync('openapi/openapi.json', 'utf8')) as Document;

const methods = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** Every operation of the document: paths × methods. */
export function operations(document: Document = openApiDocument): Operation[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    methods.flatMap((method) => {
      const operation = item[method];
      if (!operation) return [];
      const mediaSchemas = (content: Record<string, { schema: JsonSchema }> = {}) =>
        Object.fromEntries(Object.entries(content).map(([type, media]) => [type, media.schema]));
      return [
        {
          method: method.toUpperCase() as Operation['method'],
          path,
          operationId: operation.operationId,
          roles: operation['x-wedid-roles'] ?? [],
          parameters: operation.parameters ?? [],
          ...(operation.requestBody
            ? {
                requestBody: {
                  required: operation.requestBody.required ?? false,
                  content: mediaSchemas(operation.requestBody.content),
                },
              }
            : {}),
          responses: Object.fromEntries(
            Object.entries(operation.responses).map(([status, response]) => [status, mediaSchemas(response.content)]),
          ),
        },
      ];
    }),
  );
}

/** Follows a `#/components/schemas/...` reference (and chains of them) to the schema it names. */
export function resolveSchema(schema: JsonSchema, document: Document = openApiDocument): JsonSchema {
  let current = schema;
  for (let depth = 0; current.$ref && depth < 10; depth++) {
    const name = current.$ref.replace('#/components/schemas/', '');
    const target = document.components.schemas[name];
    if (!target) throw new Error(`unresolvable $ref ${current.$ref}`);
    // Keywords beside a $ref (a default, a description) describe the same value.
    const { $ref: _ref, ...siblings } = current;
    current = { ...target, ...siblings };
  }
  return current;
}

const validators = new Map<JsonSchema, z.ZodType>();

/** A zod validator built from a schema of the document (its components become `$defs`). */
function validatorFor(schema: JsonSchema): z.ZodType {
  let validator = validators.get(schema);
  if (!validator) {
    const withDefs = JSON.parse(
      JSON.stringify({ $defs: openApiDocument.components.schemas, ...schema }).replaceAll(
        '"#/components/schemas/',
        '"#/$defs/',
      ),
    );
    validator = z.fromJSONSchema(withDefs);
    validators.set(schema, validator);
  }
  return validator;
}

/** The bare media type of a Content-Type header value. */
export const mediaTypeOf = (contentType: string | null | undefined) =>
  (contentType ?? '').split(';')[0]!.trim().toLowerCase();

/**
 * What is wrong with a response, judged by the document: a status the operation does not declare,
 * a media type it does not declare for that status, or a JSON body that does not match the schema.
 * An empty list means the response is what the contract (and so the generated types) promise.
 */
export function contractViolations(
  operation: Pick<Operation, 'responses'>,
  status: number,
  contentType: string | null | undefined,
  body: string,
): string[] {
  const declared = operation.responses[String(status)];
  if (!declared) return [`status ${status} is not declared (declared: ${Object.keys(operation.responses).join(', ')})`];
  const mediaType = mediaTypeOf(contentType);
  if (Object.keys(declared).length === 0) {
    return body.length === 0 ? [] : [`status ${status} declares no body but one was sent (${mediaType})`];
  }
  const schema = declared[mediaType];
  if (!schema) return [`status ${status} does not declare ${mediaType || 'a body without Content-Type'}`];
  if (!mediaType.endsWith('json')) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return [`status ${status}: the ${mediaType} body is not JSON`];
  }
  const result = validatorFor(schema).safeParse(parsed);
  return result.success
    ? []
    : result.error.issues.map((issue) => `status ${status}: /${issue.path.join('/')}: ${issue.message}`);
}
