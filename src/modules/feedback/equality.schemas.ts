import { z } from 'zod';

const answer = <const T extends readonly string[]>(values: T) => z.enum([...values, 'prefer_not_to_say'] as const);

/**
 * Equality-monitoring answers as NHS services collect them for the Equality Act 2010 protected
 * characteristics (ethnic groups follow the 2021 census). Every question may be declined
 * (`prefer_not_to_say`) or left out. Stored apart from the item and only ever reported in aggregate.
 */
export const equalityAnswers = {
  ageBand: answer(['under_18', '18_24', '25_34', '35_44', '45_54', '55_64', '65_74', '75_plus'] as const),
  sex: answer(['female', 'male'] as const),
  genderSameAsBirth: answer(['yes', 'no'] as const),
  ethnicGroup: answer([
    'asian_indian',
    'asian_pakistani',
    'asian_bangladeshi',
    'asian_chinese',
    'asian_other',
    'black_african',
    'black_caribbean',
    'black_other',
    'mixed_white_black_caribbean',
    'mixed_white_black_african',
    'mixed_white_asian',
    'mixed_other',
    'white_british',
    'white_irish',
    'white_gypsy_irish_traveller',
    'white_roma',
    'white_other',
    'other_arab',
    'other_any',
  ] as const),
  religion: answer(['no_religion', 'christian', 'buddhist', 'hindu', 'jewish', 'muslim', 'sikh', 'other'] as const),
  sexualOrientation: answer(['straight_heterosexual', 'gay_lesbian', 'bisexual', 'other'] as const),
  disability: answer(['yes', 'no'] as const),
  pregnancyMaternity: answer(['yes', 'no'] as const),
  marriageCivilPartnership: answer(['yes', 'no'] as const),
};

export const equalitySchema = z
  .strictObject({
    ageBand: equalityAnswers.ageBand.optional(),
    sex: equalityAnswers.sex.optional(),
    genderSameAsBirth: equalityAnswers.genderSameAsBirth.optional(),
    ethnicGroup: equalityAnswers.ethnicGroup.optional(),
    religion: equalityAnswers.religion.optional(),
    sexualOrientation: equalityAnswers.sexualOrientation.optional(),
    disability: equalityAnswers.disability.optional(),
    pregnancyMaternity: equalityAnswers.pregnancyMaternity.optional(),
    marriageCivilPartnership: equalityAnswers.marriageCivilPartnership.optional(),
  })
  .meta({
    id: 'Equality',
    description:
      'Optional equality-monitoring answers (Equality Act 2010). Write-only: never returned by any feedback endpoint; reported only in aggregate with small numbers suppressed.',
  });
