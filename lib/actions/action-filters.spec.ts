import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { describe, expect, it } from 'vitest';
import { bindFilters, type FilterLookup, runFilters } from './action-filters.js';
import { ActionMetadataAccessor } from './action-metadata.accessor.js';
import { DuplexArgumentsHost } from './duplex-arguments.host.js';

class ParentError extends Error {}
class ChildError extends ParentError {}

const calls: string[] = [];

@Catch(ParentError)
class ParentFilter implements ExceptionFilter {
  catch(error: ParentError): string {
    calls.push('parent');
    return `parent:${error.message}`;
  }
}

@Catch()
class CatchAllFilter implements ExceptionFilter {
  constructor(private readonly name = 'all') {}

  catch(): string {
    calls.push(this.name);
    return this.name;
  }
}

@Catch(ChildError)
class DecliningFilter implements ExceptionFilter {
  catch(): undefined {
    calls.push('declined');
    return undefined;
  }
}

/** A class Nest never instantiated, with a static `catch`: used as is. */
@Catch(ChildError)
class StaticFilter {
  static catch(error: ChildError, host: ArgumentsHost): string {
    return `static:${error.message}:${host.getType()}`;
  }
}

const accessor = new ActionMetadataAccessor(new Reflector());
const created = new Map<object, object>([[ParentFilter, new ParentFilter()]]);
const lookup: FilterLookup = {
  instanceOf: (type) => created.get(type),
  catchTypes: (filter) => accessor.getCatchTypes(filter),
};
const host = new DuplexArgumentsHost([{}, {}, 'act']);

function run(bindings: unknown[], err: unknown): unknown {
  calls.length = 0;
  return runFilters(bindFilters(bindings, lookup), err, host);
}

describe('action exception filters', () => {
  it('tries the last declared filter first, as Nest (global, class, method → method first)', () => {
    expect(run([new CatchAllFilter('global'), new CatchAllFilter('class'), new CatchAllFilter('method')], new Error('x'))).toBe('method');
  });

  it('skips a filter whose @Catch() does not cover the error, and matches subclasses', () => {
    expect(run([ParentFilter, new DecliningFilter()], new ParentError('p'))).toBe('parent:p');
    expect(calls).toEqual(['parent']);
    expect(run([new CatchAllFilter(), ParentFilter], new ChildError('c'))).toBe('parent:c');
  });

  it('rethrows the very error when the chosen filter returns undefined, without trying another', () => {
    const err = new ChildError('c');
    expect(() => run([new CatchAllFilter(), new DecliningFilter()], err)).toThrow(err);
    expect(calls).toEqual(['declined']);
  });

  it('rethrows the very error when no filter covers it, a non-Error included', () => {
    const err = new Error('plain');
    expect(() => run([ParentFilter, new DecliningFilter()], err)).toThrow(err);
    expect(() => run([], 'a string')).toThrow('a string');
    expect(calls).toEqual([]);
  });

  it('lets what a filter throws propagate', () => {
    const thrown = new Error('from filter');
    const throwing = { catch: () => { throw thrown; } };
    expect(() => run([throwing], new Error('x'))).toThrow(thrown);
  });

  it('uses a class with a static catch when no instance exists, and skips what is not a filter', () => {
    expect(run([StaticFilter, class NotAFilter {}, null, 42], new ChildError('s'))).toBe('static:s:duplex');
  });
});
