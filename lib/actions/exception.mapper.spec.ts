import {
  BadRequestException,
  ConflictException,
  ForbiddenException,
  HttpException,
  InternalServerErrorException,
  Logger,
  NotFoundException,
  PayloadTooLargeException,
  RequestTimeoutException,
  UnauthorizedException,
  ValidationPipe,
} from '@nestjs/common';
import { WsException } from '@nestjs/websockets';
import { IsEmail, IsString, ValidateNested, ArrayNotEmpty, IsArray } from 'class-validator';
import { Type } from 'class-transformer';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DuplexError } from '../envelope/duplex.error.js';
import { toDuplexError } from './exception.mapper.js';

describe('toDuplexError', () => {
  let errorLog: ReturnType<typeof vi.spyOn>;

  beforeEach(() => {
    errorLog = vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('returns a DuplexError as it is', () => {
    const error = new DuplexError('custom', 'Custom');
    expect(toDuplexError(error)).toBe(error);
  });

  describe('HttpException', () => {
    it.each<[HttpException, string, number, string]>([
      [new BadRequestException('Bad name'), 'bad_request', 400, 'Bad name'],
      [new UnauthorizedException(), 'unauthenticated', 401, 'Unauthorized'],
      [new ForbiddenException('Forbidden resource'), 'forbidden', 403, 'Forbidden resource'],
      [new NotFoundException('No such room'), 'not_found', 404, 'No such room'],
      [new RequestTimeoutException(), 'timeout', 408, 'Request Timeout'],
      [new ConflictException('Already joined'), 'conflict', 409, 'Already joined'],
      [new PayloadTooLargeException(), 'too_large', 413, 'Payload Too Large'],
      [new HttpException('Slow down', 429), 'rate_limited', 429, 'Slow down'],
      [new HttpException('Gone', 410), 'bad_request', 410, 'Gone'],
      [new HttpException({ message: 'Teapot', extra: 1 }, 418), 'bad_request', 418, 'Teapot'],
      [new InternalServerErrorException('Disk full'), 'internal', 500, 'Disk full'],
      [new HttpException('Bad gateway', 502), 'internal', 502, 'Bad gateway'],
    ])('maps %s', (exception, code, status, message) => {
      expect(toDuplexError(exception).toData()).toEqual({ code, message, status });
      expect(errorLog).not.toHaveBeenCalled();
    });

    it('does not send the message of an Error given as the response (a server-side cause)', () => {
      const exception = new InternalServerErrorException(new Error('pg: password authentication failed'));
      expect(toDuplexError(exception).toData()).toEqual({ code: 'internal', message: 'Internal Server Error', status: 500 });
    });

    it('joins an array message that is not a 400', () => {
      expect(toDuplexError(new ConflictException(['a taken', 'b taken'])).message).toBe('a taken; b taken');
    });
  });

  describe('validation failures', () => {
    it('maps a 400 whose message is an array to validation_failed with errors and fields', () => {
      const exception = new BadRequestException([
        'text must be a string',
        'text should not be empty',
        'address.city must be a string',
        'each value in tags must be a string',
        'property extra should not exist',
        'an unknown value was passed to the validate function',
      ]);
      const error = toDuplexError(exception);
      expect(error.code).toBe('validation_failed');
      expect(error.status).toBe(400);
      expect(error.details).toEqual({
        errors: [
          'text must be a string',
          'text should not be empty',
          'address.city must be a string',
          'each value in tags must be a string',
          'property extra should not exist',
          'an unknown value was passed to the validate function',
        ],
        fields: ['text', 'address.city', 'tags', 'extra'],
      });
      expect(error.message).toContain('text must be a string; text should not be empty');
    });

    it('uses structured ValidationError properties when an exceptionFactory passes them through', () => {
      const exception = new BadRequestException({
        message: [
          { property: 'email', constraints: { isEmail: 'email must be an email' }, children: [] },
          {
            property: 'address',
            children: [{ property: 'zip', constraints: { isString: 'zip must be a string' }, children: [] }],
          },
        ],
      });
      expect(toDuplexError(exception).details).toEqual({
        errors: ['email must be an email', 'zip must be a string'],
        fields: ['email', 'address.zip'],
      });
    });

    it("reads ValidationPipe's grouped error format", () => {
      const exception = new BadRequestException({
        message: { text: ['text must be a string'], 'address.city': ['address.city must be a string'] },
      });
      expect(toDuplexError(exception).details).toEqual({
        errors: ['text must be a string', 'address.city must be a string'],
        fields: ['text', 'address.city'],
      });
    });

    class Address {
      @IsString()
      city!: string;
    }

    class SignUp {
      @IsEmail()
      email!: string;

      @IsArray()
      @ArrayNotEmpty()
      @IsString({ each: true })
      tags!: string[];

      @ValidateNested()
      @Type(() => Address)
      address!: Address;
    }

    it('names the fields of a real ValidationPipe rejection, nested ones included', async () => {
      const pipe = new ValidationPipe();
      const rejection = await pipe
        .transform({ email: 'nope', tags: [1], address: { city: 3 } }, { type: 'body', metatype: SignUp })
        .then(
          () => undefined,
          (err: unknown) => err,
        );
      const error = toDuplexError(rejection);
      expect(error.code).toBe('validation_failed');
      expect(error.details?.fields).toEqual(['email', 'tags', 'address.city']);
      expect(error.details?.errors).toEqual([
        'email must be an email',
        'each value in tags must be a string',
        'address.city must be a string',
      ]);
    });
  });

  describe('WsException', () => {
    it('maps a string to bad_request', () => {
      expect(toDuplexError(new WsException('Not in a room')).toData()).toEqual({
        code: 'bad_request',
        message: 'Not in a room',
      });
    });

    it('keeps the code, message and extra fields of an object', () => {
      expect(toDuplexError(new WsException({ code: 'room_full', message: 'Full', capacity: 8 })).toData()).toEqual({
        code: 'room_full',
        message: 'Full',
        capacity: 8,
      });
    });

    it('defaults a missing code to bad_request', () => {
      expect(toDuplexError(new WsException({ message: 'Nope' })).toData()).toEqual({
        code: 'bad_request',
        message: 'Nope',
      });
    });
  });

  describe('unexpected errors', () => {
    it('answers a generic internal error and logs the real one once, with its stack', () => {
      const cause = new RangeError('index 7 out of range in secret-table');
      const error = toDuplexError(cause, 'Rooms.join');
      expect(error.toData()).toEqual({ code: 'internal', message: 'Internal server error' });
      expect(errorLog).toHaveBeenCalledTimes(1);
      expect(errorLog.mock.calls[0]).toEqual([
        'Unhandled RangeError in Rooms.join: index 7 out of range in secret-table',
        cause.stack,
      ]);
    });

    it.each([['a string', 'oops'], ['undefined', undefined], ['an object', { weird: true }], ['a number', 3]])(
      'handles %s thrown',
      (_label, thrown) => {
        expect(toDuplexError(thrown).code).toBe('internal');
        expect(errorLog).toHaveBeenCalledTimes(1);
      },
    );

    it('never throws, even for a hostile HttpException', () => {
      const hostile = new BadRequestException('x');
      Object.defineProperty(hostile, 'getResponse', {
        value: () => {
          throw new Error('getter exploded');
        },
      });
      expect(toDuplexError(hostile).code).toBe('internal');

      const circular: Record<string, unknown> = {};
      circular.self = circular;
      expect(toDuplexError(circular).code).toBe('internal');
    });
  });
});
