// date-holidays-parser ships declarations that its package.json `exports` does not point to, so
// TypeScript (NodeNext) cannot find them: the one constructor working-days.ts uses, typed as the
// date-holidays calendar it is the engine of.
declare module 'date-holidays-parser' {
  import type Holidays from 'date-holidays';
  import type { HolidaysTypes } from 'date-holidays';

  const HolidaysParser: new (data: object, country: string, state: string, opts?: HolidaysTypes.Options) => Holidays;
  export default HolidaysParser;
}
