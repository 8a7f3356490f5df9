import { Reflector } from '@nestjs/core';
import { describe, expect, it } from 'vitest';
import { ActionMetadataAccessor } from './action-metadata.accessor.js';
import { OnAction } from './on-action.decorator.js';

const accessor = new ActionMetadataAccessor(new Reflector());

describe('@OnAction', () => {
  it('records the action name on the method', () => {
    class Handlers {
      @OnAction('echo')
      echo(): void {}
    }
    expect(accessor.getActions(Handlers.prototype.echo)).toEqual(['echo']);
  });

  it('stacks several names on one method, without duplicates', () => {
    class Handlers {
      @OnAction('a')
      @OnAction('b')
      @OnAction('a')
      both(): void {}
    }
    expect([...accessor.getActions(Handlers.prototype.both)].sort()).toEqual(['a', 'b']);
  });

  it.each([
    ['an empty name', ''],
    ['a reserved $ name', '$hello'],
    ['a name longer than 128 characters', 'a'.repeat(129)],
  ])('rejects %s at decoration time', (_label, name) => {
    expect(() => {
      class Handlers {
        @OnAction(name)
        handle(): void {}
      }
      return Handlers;
    }).toThrow(/invalid action name.*reserved for the protocol/);
  });

  it('rejects a non-string name from untyped callers', () => {
    expect(() => OnAction(undefined as unknown as string)).toThrow(/invalid action name/);
  });
});

describe('ActionMetadataAccessor', () => {
  it('returns [] for undecorated methods and for anything that is not a function', () => {
    class Plain {
      method(): void {}
    }
    expect(accessor.getActions(Plain.prototype.method)).toEqual([]);
    expect(accessor.getActions(undefined)).toEqual([]);
    expect(accessor.getActions(null)).toEqual([]);
    expect(accessor.getActions('echo')).toEqual([]);
    expect(accessor.getActions({})).toEqual([]);
  });
});
