// A small builder of plain JSON Schema objects that also carry their TypeScript type, so one
// declaration gives a route its validation, its response serialisation, its OpenAPI entry and
// the type both the handler and the console use (`Static<typeof X>`). The objects built are
// ordinary JSON Schema (draft 2020-12 / OpenAPI 3.1): nothing here exists at run time but them.
//
// This module and api-types.ts are imported by the console (src/web): they must stay free of
// Node-only code and of imports from the server.

declare const TYPE: unique symbol;
declare const OPTIONAL_TYPE: unique symbol;
/** Marks a property schema as optional; object() removes it from the schema it builds. */
const OPTIONAL = '~optional';

/** A JSON Schema whose values have type T (`Optional`: a property that may be left out). */
export interface Schema<T = unknown, Optional extends boolean = false> {
  readonly [TYPE]?: T;
  readonly [OPTIONAL_TYPE]?: Optional;
  readonly [keyword: string]: unknown;
}

/** The type a schema describes. */
export type Static<S> = S extends Schema<infer T, boolean> ? T : never;

type Props = Record<string, Schema<unknown, boolean>>;
type Flat<T> = { [K in keyof T]: T[K] } & {};
type RequiredPart<P extends Props> = {
  [K in keyof P as P[K] extends Schema<unknown, true> ? never : K]: Static<P[K]>;
};
type OptionalPart<P extends Props> = {
  [K in keyof P as P[K] extends Schema<unknown, true> ? K : never]?: Static<P[K]>;
};
export type ObjectOf<P extends Props> = Flat<RequiredPart<P> & OptionalPart<P>>;

interface Common {
  description?: string;
}
interface StringOptions extends Common {
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
}
interface NumberOptions extends Common {
  minimum?: number;
  maximum?: number;
}
interface ArrayOptions extends Common {
  minItems?: number;
  maxItems?: number;
}

const make = <T, O extends boolean = false>(schema: Record<string, unknown>) => schema as Schema<T, O>;

function withoutMarker(s: Schema<unknown, boolean>): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...s };
  delete copy[OPTIONAL];
  return copy;
}

function objectSchema(properties: Props, o: Common): Record<string, unknown> {
  const required = Object.keys(properties).filter((k) => properties[k]![OPTIONAL] !== true);
  return {
    type: 'object',
    properties: Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, withoutMarker(v)])),
    ...(required.length ? { required } : {}),
    ...o,
  };
}

export const S = {
  string: (o: StringOptions = {}) => make<string>({ type: 'string', ...o }),
  /** One of some strings. */
  enum: <const V extends readonly string[]>(values: V, o: Common = {}) =>
    make<V[number]>({ type: 'string', enum: [...values], ...o }),
  literal: <const V extends string | number | boolean>(value: V, o: Common = {}) =>
    make<V>({ type: typeof value, const: value, ...o }),
  integer: (o: NumberOptions = {}) => make<number>({ type: 'integer', ...o }),
  number: (o: NumberOptions = {}) => make<number>({ type: 'number', ...o }),
  boolean: (o: Common = {}) => make<boolean>({ type: 'boolean', ...o }),
  /** Any JSON value. */
  unknown: (o: Common = {}) => make<unknown>({ ...o }),
  array: <T>(items: Schema<T>, o: ArrayOptions = {}) => make<T[]>({ type: 'array', items, ...o }),
  /** An object whose keys are not fixed, every value of one schema. */
  record: <T>(values: Schema<T>, o: Common = {}) =>
    make<Record<string, T>>({ type: 'object', additionalProperties: values, ...o }),
  /** An object with these properties; a response drops any other (Fastify's serialiser). */
  object: <P extends Props>(properties: P, o: Common = {}) => make<ObjectOf<P>>(objectSchema(properties, o)),
  /**
   * An object with at least these properties: others are kept, in a response serialised as they
   * are. For shapes that are open by nature (JSON details, graph answers).
   */
  openObject: <P extends Props>(properties: P, o: Common = {}) =>
    make<ObjectOf<P>>({
      ...objectSchema(properties, o),
      additionalProperties: true,
    }),
  nullable: <T>(s: Schema<T>): Schema<T | null> => {
    const t = s.type;
    if (typeof t === 'string' && t !== 'object' && t !== 'array') {
      const out: Record<string, unknown> = { ...s, type: [t, 'null'] };
      if (Array.isArray(s.enum)) out.enum = [...(s.enum as unknown[]), null];
      return make<T | null>(out);
    }
    return make<T | null>({ anyOf: [s, { type: 'null' }] });
  },
  union: <const L extends readonly Schema<unknown>[]>(schemas: L, o: Common = {}) =>
    make<Static<L[number]>>({ anyOf: [...schemas], ...o }),
  /** A property that may be left out. */
  optional: <T>(s: Schema<T>) => make<T, true>({ ...s, [OPTIONAL]: true }),
};
