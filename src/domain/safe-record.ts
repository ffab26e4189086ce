// Records keyed by outside input (feature names, dependency names): a plain `obj[key] = v`
// with key `__proto__` replaces the prototype instead of adding a key, so the entry vanishes
// from Object.keys and JSON.stringify.

/** Sets an own enumerable property, even for keys such as `__proto__`. */
export function setOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') {
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    obj[key] = value;
  }
}
