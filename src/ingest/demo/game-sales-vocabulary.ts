import type { Weighted } from '../seeded-random.js';

/** A console or PC with the years games were released for it. */
export interface PlatformProfile {
  readonly code: string;
  readonly firstYear: number;
  readonly lastYear: number;
}

/**
 * Platforms as the video-game sales dataset abbreviates them, weighted roughly by how many titles
 * it lists for each, with their approximate release years.
 */
export const PLATFORMS: readonly Weighted<PlatformProfile>[] = [
  platform('2600', 1980, 1989, 116),
  platform('NES', 1983, 1994, 98),
  platform('GB', 1989, 2001, 97),
  platform('SNES', 1990, 1999, 239),
  platform('GEN', 1990, 1997, 27),
  platform('PS', 1994, 2003, 1189),
  platform('SAT', 1994, 1999, 173),
  platform('N64', 1996, 2002, 316),
  platform('DC', 1998, 2002, 52),
  platform('PS2', 2000, 2011, 2127),
  platform('XB', 2001, 2008, 803),
  platform('GC', 2001, 2007, 542),
  platform('GBA', 2001, 2008, 786),
  platform('PC', 1985, 2016, 938),
  platform('DS', 2004, 2014, 2131),
  platform('PSP', 2004, 2015, 1197),
  platform('X360', 2005, 2016, 1234),
  platform('Wii', 2006, 2016, 1290),
  platform('PS3', 2006, 2016, 1304),
  platform('3DS', 2011, 2016, 499),
  platform('PSV', 2011, 2016, 410),
  platform('WiiU', 2012, 2016, 143),
  platform('PS4', 2013, 2016, 336),
  platform('XOne', 2013, 2016, 213),
];

/** The dataset's twelve genres, weighted roughly by frequency. */
export const GENRES: readonly Weighted<string>[] = [
  { value: 'Action', weight: 3251 },
  { value: 'Sports', weight: 2304 },
  { value: 'Misc', weight: 1686 },
  { value: 'Role-Playing', weight: 1470 },
  { value: 'Shooter', weight: 1282 },
  { value: 'Adventure', weight: 1274 },
  { value: 'Racing', weight: 1225 },
  { value: 'Platform', weight: 875 },
  { value: 'Simulation', weight: 848 },
  { value: 'Fighting', weight: 836 },
  { value: 'Strategy', weight: 670 },
  { value: 'Puzzle', weight: 570 },
];

/** Large publishers, weighted roughly by how many titles they release. */
export const MAJOR_PUBLISHERS: readonly Weighted<string>[] = [
  { value: 'Electronic Arts', weight: 1339 },
  { value: 'Activision', weight: 966 },
  { value: 'Namco Bandai Games', weight: 928 },
  { value: 'Ubisoft', weight: 918 },
  { value: 'Konami Digital Entertainment', weight: 823 },
  { value: 'THQ', weight: 712 },
  { value: 'Nintendo', weight: 696 },
  { value: 'Sony Computer Entertainment', weight: 682 },
  { value: 'Sega', weight: 632 },
  { value: 'Take-Two Interactive', weight: 412 },
  { value: 'Capcom', weight: 376 },
  { value: 'Atari', weight: 347 },
  { value: 'Tecmo Koei', weight: 338 },
  { value: 'Square Enix', weight: 231 },
  { value: 'Warner Bros. Interactive Entertainment', weight: 217 },
  { value: 'Microsoft Game Studios', weight: 189 },
  { value: 'Codemasters', weight: 150 },
  { value: 'Unknown', weight: 100 },
];

/** Word pairs for invented small publishers (the long tail of the real list). */
export const SMALL_PUBLISHER_WORDS: readonly string[] = [
  'Red Lantern',
  'Blue Harbor',
  'Iron Pine',
  'Quiet Comet',
  'Paper Moon',
  'Sixth Gear',
  'Copper Fox',
  'Northwind',
  'Little Giant',
  'Pixel Orchard',
  'Tin Robot',
  'Golden Hour',
];

/** Suffixes of invented small publishers. */
export const SMALL_PUBLISHER_SUFFIXES: readonly string[] = [
  'Games',
  'Interactive',
  'Studios',
  'Entertainment',
  'Software',
];

/** Leading words of invented titles. */
export const TITLE_ADJECTIVES: readonly string[] = [
  'Star',
  'Shadow',
  'Crimson',
  'Super',
  'Mega',
  'Iron',
  'Crystal',
  'Neon',
  'Silent',
  'Wild',
  'Hidden',
  'Thunder',
  'Frozen',
  'Galactic',
  'Tiny',
  'Royal',
  'Hyper',
  'Midnight',
  'Lucky',
  'Ancient',
];

/** Genre-flavoured nouns of invented titles. */
export const TITLE_NOUNS: Readonly<Record<string, readonly string[]>> = {
  Action: ['Blade', 'Fury', 'Hunter', 'Outlaws', 'Vendetta', 'Rampage'],
  Sports: ['Slam', 'Champions', 'Arena', 'League', 'Kickoff', 'Tour'],
  Misc: ['Party', 'Carnival', 'Friends', 'Jamboree', 'Studio', 'Trivia'],
  'Role-Playing': ['Quest', 'Saga', 'Chronicles', 'Legends', 'Tales', 'Odyssey'],
  Shooter: ['Strike', 'Squadron', 'Siege', 'Frontline', 'Recon', 'Barrage'],
  Adventure: ['Voyage', 'Mystery', 'Expedition', 'Secrets', 'Island', 'Labyrinth'],
  Racing: ['Racer', 'Rally', 'Drift', 'Speedway', 'Turbo', 'Grand Prix'],
  Platform: ['Jumper', 'Dash', 'Bounce', 'Climber', 'Hopper', 'World'],
  Simulation: ['Tycoon', 'Farm', 'Flight', 'City', 'Life', 'Zoo'],
  Fighting: ['Brawl', 'Fist', 'Showdown', 'Warriors', 'Clash', 'Duel'],
  Strategy: ['Empire', 'Conquest', 'Tactics', 'Command', 'Dominion', 'Kingdoms'],
  Puzzle: ['Blocks', 'Puzzle', 'Match', 'Logic', 'Gems', 'Tiles'],
};

/** Subtitles after a colon; a few contain commas, as some real titles do (CSV quoting). */
export const TITLE_SUBTITLES: readonly string[] = [
  'The Lost Kingdom',
  'Rise of the Machines',
  'Midnight Edition',
  'Return to the Deep',
  'Beyond the Stars',
  'The Final Hour',
  'Heroes, Villains and Friends',
  'Sun, Sand & Speed',
  "Director's Cut",
  'Legacy',
  'Origins',
  'Gold Edition',
];

/** Sports of yearly sports titles such as "Pro Soccer League 2010". */
export const SPORTS: readonly string[] = [
  'Soccer',
  'Football',
  'Basketball',
  'Hockey',
  'Baseball',
  'Tennis',
  'Golf',
  'Snowboard',
];

function platform(
  code: string,
  firstYear: number,
  lastYear: number,
  weight: number,
): Weighted<PlatformProfile> {
  return { value: { code, firstYear, lastYear }, weight };
}
