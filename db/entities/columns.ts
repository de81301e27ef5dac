/**
 * Column shapes every table repeats, written once: money as bigint minor units
 * mapped to JS numbers (amounts are capped well inside Number.MAX_SAFE_INTEGER), and timestamps.
 */
import { BigIntType } from '@mikro-orm/core';

export const money = () => ({ type: new BigIntType('number') });
export const nullableMoney = () => ({ type: new BigIntType('number'), nullable: true });

export const createdAt = () => ({ type: 'datetime', onCreate: () => new Date() }) as const;
export const updatedAt = () => ({ type: 'datetime', onCreate: () => new Date(), onUpdate: () => new Date() }) as const;
