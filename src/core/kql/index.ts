// KQL (Kibana Query Language): parse a query once, then evaluate it against many documents.

export { parseKql, KqlSyntaxError, MAX_DEPTH } from './parser';
export { evaluateKql } from './evaluate';
export { queryFields, requiredLiterals, requiredValues } from './fields';
export { WildcardPattern } from './wildcard';
export type {
  KqlQuery,
  KqlMatchAll,
  KqlOr,
  KqlAnd,
  KqlNot,
  KqlIs,
  KqlExists,
  KqlRange,
  KqlNested,
  KqlField,
  KqlValue,
  KqlScalar,
  KqlSpan,
  RangeOperator,
} from './ast';
