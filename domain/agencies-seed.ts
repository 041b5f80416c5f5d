// The agencies directory Merzim starts with: every body the seed plans' glossaries name, the akimats, the PM Office and the Presidential Administration.
import type { Agency, AgencyKind, BilingualName } from './plan.js';

export { findAgency, findAgencyByName } from './agencies.js';

// Demo and real contacts are added by an admin; the seed never carries an e-mail address.
function agency(
  code: string,
  kk: string | null,
  ru: string | null,
  kind: AgencyKind,
  more: Partial<Pick<Agency, 'byAgreement' | 'successor' | 'lang' | 'aliases' | 'since' | 'note'>> = {},
): Agency {
  const name: BilingualName = { kk, ru };
  return {
    code,
    name,
    kind,
    byAgreement: more.byAgreement ?? false,
    contacts: [],
    lang: more.lang ?? 'kk',
    ...withoutDefaults(more),
  };
}

function withoutDefaults(more: Partial<Pick<Agency, 'successor' | 'aliases' | 'since' | 'note'>>): Partial<Agency> {
  return {
    ...(more.successor && { successor: more.successor }),
    ...(more.aliases && { aliases: more.aliases }),
    ...(more.since && { since: more.since }),
    ...(more.note && { note: more.note }),
  };
}

const NEW_REGIONS_2022 =
  'Presidential decree of 3 May 2022 on administrative-territorial matters, in force 8 June 2022';
const TURKISTAN_2018 = 'Presidential decree of 19 June 2018 on administrative-territorial matters';

/** Ministries and central bodies of the Government (report up the Government chain). */
const GOVERNMENT: readonly Agency[] = [
  agency(
    'АКМ',
    'Қазақстан Республикасының Ақпарат және коммуникациялар министрлігі',
    'Министерство информации и коммуникаций Республики Казахстан',
    'ministry',
    {
      // Seed 000's glossary prints АКМ, its table АҚМ.
      aliases: ['АҚМ', 'МИК'],
      successor: { code: 'АҚДМ', date: '2019-02-26' },
      note: 'Abolished in February 2019: information went to АҚДМ, communications to the Ministry of Digital Development. The day of the successor date is not verified against Adilet.',
    },
  ),
  agency(
    'АҚДМ',
    'Қазақстан Республикасының Ақпарат және қоғамдық даму министрлігі',
    'Министерство информации и общественного развития Республики Казахстан',
    'ministry',
    {
      aliases: ['МИОР', 'ҚДМ', 'МОР'],
      note: 'Formed in February 2019 from the Ministry of Social Development (ҚДМ, the renamed ДІАҚМ) with the information functions of АКМ.',
    },
  ),
  agency(
    'ДІАҚМ',
    'Қазақстан Республикасының Дін істері және азаматтық қоғам министрлігі',
    'Министерство по делам религий и гражданского общества Республики Казахстан',
    'ministry',
    {
      // Seed 000 prints both ДИАҚМ (Russian И) and ДІАҚМ.
      aliases: ['ДИАҚМ', 'МДРГО'],
      successor: { code: 'АҚДМ', date: '2018-06-28', act: 'Presidential decree No. 707 of 28 June 2018' },
      note: 'Renamed Ministry of Social Development (ҚДМ) on 28 June 2018, which became АҚДМ in February 2019.',
    },
  ),
  agency(
    'БҒМ',
    'Қазақстан Республикасының Білім және ғылым министрлігі',
    'Министерство образования и науки Республики Казахстан',
    'ministry',
    {
      aliases: ['МОН'],
      note: 'Split in 2022 into the Ministry of Enlightenment and the Ministry of Science and Higher Education: no single successor.',
    },
  ),
  agency(
    'ДСМ',
    'Қазақстан Республикасының Денсаулық сақтау министрлігі',
    'Министерство здравоохранения Республики Казахстан',
    'ministry',
    { aliases: ['МЗ'] },
  ),
  agency(
    'ІІМ',
    'Қазақстан Республикасының Ішкі істер министрлігі',
    'Министерство внутренних дел Республики Казахстан',
    'ministry',
    { aliases: ['МВД'] },
  ),
  agency(
    'Қаржымині',
    'Қазақстан Республикасының Қаржы министрлігі',
    'Министерство финансов Республики Казахстан',
    'ministry',
    { aliases: ['МФ'] },
  ),
  agency(
    'Қорғанысмині',
    'Қазақстан Республикасының Қорғаныс министрлігі',
    'Министерство обороны Республики Казахстан',
    'ministry',
    { aliases: ['МО'] },
  ),
  agency(
    'МСМ',
    'Қазақстан Республикасының Мәдениет және спорт министрлігі',
    'Министерство культуры и спорта Республики Казахстан',
    'ministry',
    { aliases: ['МКС'] },
  ),
  agency(
    'СІМ',
    'Қазақстан Республикасының Сыртқы істер министрлігі',
    'Министерство иностранных дел Республики Казахстан',
    'ministry',
    { aliases: ['МИД'] },
  ),
  agency(
    'ҰЭМ',
    'Қазақстан Республикасының Ұлттық экономика министрлігі',
    'Министерство национальной экономики Республики Казахстан',
    'ministry',
    { aliases: ['МНЭ'] },
  ),
  agency(
    'ӘМ',
    'Қазақстан Республикасының Әділет министрлігі',
    'Министерство юстиции Республики Казахстан',
    'ministry',
    { aliases: ['МЮ'] },
  ),
  agency(
    'ЕӘҚМ',
    'Қазақстан Республикасының Еңбек және халықты әлеуметтік қорғау министрлігі',
    'Министерство труда и социальной защиты населения Республики Казахстан',
    'ministry',
    {
      aliases: ['МТСЗН'],
      note: 'Not in the seeds’ glossaries; seed 002’s table names it.',
    },
  ),
];

/** Bodies that answer to the President, the courts, and organisations outside the Government: they report "by agreement". */
const BY_AGREEMENT: readonly Agency[] = [
  agency(
    'ҰҚК',
    'Қазақстан Республикасының Ұлттық қауіпсіздік комитеті',
    'Комитет национальной безопасности Республики Казахстан',
    'presidential_body',
    { byAgreement: true, aliases: ['КНБ'] },
  ),
  agency(
    'БП',
    'Қазақстан Республикасының Бас прокуратурасы',
    'Генеральная прокуратура Республики Казахстан',
    'presidential_body',
    { byAgreement: true, aliases: ['ГП'] },
  ),
  agency(
    'СБҚ "Сырбар"',
    'Қазақстан Республикасының "Сырбар" Сыртқы барлау қызметі',
    'Служба внешней разведки Республики Казахстан «Сырбар»',
    'presidential_body',
    {
      byAgreement: true,
      aliases: ['"Сырбар" СБҚ', 'Сырбар', 'СВР', 'СВР «Сырбар»'],
    },
  ),
  agency(
    'МҚІСҚА',
    'Қазақстан Республикасының Мемлекеттік қызмет істері және сыбайлас жемқорлыққа қарсы іс-қимыл агенттігі',
    'Агентство Республики Казахстан по делам государственной службы и противодействию коррупции',
    'presidential_body',
    {
      byAgreement: true,
      aliases: ['АДГСПК'],
      note: 'Split on 13 June 2019 into the Agency for Civil Service Affairs and the Anti-Corruption Agency (СЖҚА): no single successor.',
    },
  ),
  agency(
    'СЖҚА',
    'Қазақстан Республикасының Сыбайлас жемқорлыққа қарсы іс-қимыл агенттігі',
    'Агентство Республики Казахстан по противодействию коррупции',
    'presidential_body',
    {
      byAgreement: true,
      aliases: ['АПК'],
      since: '2019-06-13',
      note: 'Code not printed by the seeds.',
    },
  ),
  agency(
    'ҚМА',
    'Қазақстан Республикасының Қаржылық мониторинг агенттігі',
    'Агентство Республики Казахстан по финансовому мониторингу',
    'presidential_body',
    {
      byAgreement: true,
      aliases: ['АФМ'],
      note: 'Code not printed by the seeds; formed in 2021 (day not recorded here).',
    },
  ),
  agency(
    'МКҚ',
    'Қазақстан Республикасының Мемлекеттік күзет қызметі',
    'Служба государственной охраны Республики Казахстан',
    'presidential_body',
    {
      byAgreement: true,
      aliases: ['СГО'],
      note: 'Code not printed by the seeds.',
    },
  ),
  agency(
    'ҰБ',
    'Қазақстан Республикасының Ұлттық Банкі',
    'Национальный Банк Республики Казахстан',
    'presidential_body',
    {
      byAgreement: true,
      aliases: ['НБ', 'НБРК'],
      note: 'Code not printed by the seeds.',
    },
  ),
  agency(
    'ҚСЗИ',
    'Қазақстан Республикасы Президентінің жанындағы Қазақстан стратегиялық зерттеулер институты',
    'Казахстанский институт стратегических исследований при Президенте Республики Казахстан',
    'presidential_body',
    {
      byAgreement: true,
      aliases: ['КИСИ'],
    },
  ),
  agency('ЖС', 'Қазақстан Республикасының Жоғарғы Соты', 'Верховный Суд Республики Казахстан', 'other', {
    byAgreement: true,
    aliases: ['ВС'],
  }),
  agency('ЖСК', 'Қазақстан Республикасының Жоғары Сот Кеңесі', 'Высший Судебный Совет Республики Казахстан', 'other', {
    byAgreement: true,
    aliases: ['ВСС'],
    note: 'Code not printed by the seeds.',
  }),
  agency(
    'Ы. Алтынсарин атындағы ҰБА',
    'Ы. Алтынсарин атындағы Ұлттық білім академиясы',
    'Национальная академия образования имени И. Алтынсарина',
    'other',
    {
      byAgreement: true,
      aliases: ['НАО им. И. Алтынсарина'],
    },
  ),
  agency('ҮЕҰ', 'үкіметтік емес ұйымдар', 'неправительственные организации', 'ngo_international', {
    byAgreement: true,
    // Seed 000's table prints ҰЕҰ (with Ұ) for the glossary's ҮЕҰ.
    aliases: ['ҰЕҰ', 'НПО'],
  }),
  agency(
    'ЕҚЫҰ',
    'Еуропадағы қауіпсіздік және ынтымақтастық ұйымы',
    'Организация по безопасности и сотрудничеству в Европе',
    'ngo_international',
    {
      byAgreement: true,
      lang: 'ru',
      aliases: ['ОБСЕ', 'OSCE'],
    },
  ),
  agency(
    'ЭЫДҰ',
    'Экономикалық ынтымақтастық және даму ұйымы',
    'Организация экономического сотрудничества и развития',
    'ngo_international',
    {
      byAgreement: true,
      lang: 'ru',
      aliases: ['ОЭСР', 'OECD'],
    },
  ),
  agency(
    'ЮНИСЕФ',
    'Біріккен Ұлттар Ұйымының Балалар қоры (ЮНИСЕФ)',
    'Детский фонд Организации Объединённых Наций (ЮНИСЕФ)',
    'ngo_international',
    {
      byAgreement: true,
      lang: 'ru',
      aliases: ['UNICEF'],
    },
  ),
];

/** The top of the reporting chain. */
const CHAIN: readonly Agency[] = [
  agency(
    'ПМК',
    'Қазақстан Республикасы Премьер-Министрінің Кеңсесі',
    'Канцелярия Премьер-Министра Республики Казахстан',
    'pm_office',
    {
      // Decree 580 itself misprints Кеңсе (office) as Кеңес (council).
      aliases: [
        'КПМ',
        'Премьер-Министрдің Кеңсесі',
        'Премьер-Министр Кеңсесі',
        'Премьер-Министрінің Кеңесі',
        'Премьер-Министр Кеңесі',
      ],
    },
  ),
  agency(
    'ПӘ',
    'Қазақстан Республикасы Президентінің Әкімшілігі',
    'Администрация Президента Республики Казахстан',
    'presidential_administration',
    {
      aliases: ['АП', 'Президент Әкімшілігі'],
    },
  ),
];

function region(
  kkStem: string,
  kkGenitive: string,
  ru: string,
  ruGenitive: string,
  more: Parameters<typeof agency>[4] = {},
): Agency {
  return agency(`${kkStem} облысы`, `${kkGenitive} әкімдігі`, `Акимат ${ruGenitive}`, 'regional_akimat', {
    ...more,
    aliases: [ru, `${kkStem} облысының әкімдігі`, ...(more.aliases ?? [])],
  });
}

/** The 17 regions (and South Kazakhstan, renamed Turkistan in 2018). */
const REGIONS: readonly Agency[] = [
  region('Абай', 'Абай облысының', 'область Абай', 'области Абай', { since: '2022-06-08', note: NEW_REGIONS_2022 }),
  region('Ақмола', 'Ақмола облысының', 'Акмолинская область', 'Акмолинской области'),
  region('Ақтөбе', 'Ақтөбе облысының', 'Актюбинская область', 'Актюбинской области'),
  region('Алматы', 'Алматы облысының', 'Алматинская область', 'Алматинской области'),
  region('Атырау', 'Атырау облысының', 'Атырауская область', 'Атырауской области'),
  region(
    'Батыс Қазақстан',
    'Батыс Қазақстан облысының',
    'Западно-Казахстанская область',
    'Западно-Казахстанской области',
  ),
  region('Жамбыл', 'Жамбыл облысының', 'Жамбылская область', 'Жамбылской области'),
  region('Жетісу', 'Жетісу облысының', 'область Жетісу', 'области Жетісу', {
    since: '2022-06-08',
    note: NEW_REGIONS_2022,
    aliases: ['область Жетысу'],
  }),
  region('Қарағанды', 'Қарағанды облысының', 'Карагандинская область', 'Карагандинской области'),
  region('Қостанай', 'Қостанай облысының', 'Костанайская область', 'Костанайской области'),
  region('Қызылорда', 'Қызылорда облысының', 'Кызылординская область', 'Кызылординской области'),
  region('Маңғыстау', 'Маңғыстау облысының', 'Мангистауская область', 'Мангистауской области'),
  region('Павлодар', 'Павлодар облысының', 'Павлодарская область', 'Павлодарской области'),
  region(
    'Солтүстік Қазақстан',
    'Солтүстік Қазақстан облысының',
    'Северо-Казахстанская область',
    'Северо-Казахстанской области',
  ),
  region('Түркістан', 'Түркістан облысының', 'Туркестанская область', 'Туркестанской области', {
    since: '2018-06-19',
    note: `The former South Kazakhstan region renamed, centre moved to Turkistan (${TURKISTAN_2018}).`,
  }),
  region('Ұлытау', 'Ұлытау облысының', 'область Ұлытау', 'области Ұлытау', {
    since: '2022-06-08',
    note: NEW_REGIONS_2022,
    aliases: ['область Улытау'],
  }),
  region(
    'Шығыс Қазақстан',
    'Шығыс Қазақстан облысының',
    'Восточно-Казахстанская область',
    'Восточно-Казахстанской области',
  ),
  region(
    'Оңтүстік Қазақстан',
    'Оңтүстік Қазақстан облысының',
    'Южно-Казахстанская область',
    'Южно-Казахстанской области',
    {
      successor: { code: 'Түркістан облысы', date: '2018-06-19', act: TURKISTAN_2018 },
      note: 'Shymkent left the region the same day as a city of republican significance.',
    },
  ),
];

/** The cities of republican significance; Astana is one agency under all its names. */
const CITIES: readonly Agency[] = [
  agency('Астана', 'Астана қаласының әкімдігі', 'Акимат города Астаны', 'city_akimat', {
    aliases: [
      'Нұр-Сұлтан',
      'Нур-Султан',
      'Астана қаласы',
      'Нұр-Сұлтан қаласы',
      'Нұр-Сұлтан қаласының әкімдігі',
      'город Астана',
      'г. Астана',
      'г. Нур-Султан',
      'Акимат города Нур-Султана',
    ],
    note: 'The capital: Astana, Nur-Sultan from 23 March 2019, Astana again from 17 September 2022 — one akimat throughout.',
  }),
  agency('Алматы', 'Алматы қаласының әкімдігі', 'Акимат города Алматы', 'city_akimat', {
    aliases: ['Алматы қаласы', 'город Алматы', 'г. Алматы'],
  }),
  agency('Шымкент', 'Шымкент қаласының әкімдігі', 'Акимат города Шымкента', 'city_akimat', {
    aliases: ['Шымкент қаласы', 'город Шымкент', 'г. Шымкент'],
    since: '2018-06-19',
    note: `A city of republican significance since 19 June 2018 (${TURKISTAN_2018}); before that part of the South Kazakhstan region.`,
  }),
];

/** Every agency Merzim knows on a fresh install, in a stable order. */
export const AGENCIES_SEED: readonly Agency[] = [...GOVERNMENT, ...BY_AGREEMENT, ...CHAIN, ...REGIONS, ...CITIES];
