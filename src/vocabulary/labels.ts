import type { MemberStateCode } from './member-states.js';
import type { Severity, Sector, Status } from './vocabulary.js';

/**
 * English and Russian names of the shared vocabulary, for `GET /api/v1/taxonomy` and every
 * client that shows it (the console must not hard-code them).
 *
 * RSIT: the English type names and descriptions are ENISA's (data/rsit.json, CC0-1.0) and are
 * read from there; the class descriptions (ENISA gives none beyond the name) and every Russian
 * text are this project's. There is no official Russian RSIT: the Russian names follow the
 * terms Russian-speaking CERTs use (несанкционированный доступ, компрометация учётной записи,
 * ВПО, DDoS), and each Russian description translates ENISA's English one.
 */

export interface Text {
  en: string;
  ru: string;
}

/** Russian name and description of each RSIT type, by `class/type`; every category has one. */
export const RSIT_TYPE_RU: Record<string, { label: string; description: string }> = {
  'abusive-content/spam': {
    label: 'Спам',
    description:
      'Или «нежелательная массовая рассылка»: получатель не давал проверяемого согласия на получение сообщения, и оно отправлено в составе большой рассылки функционально одинаковых сообщений. Индикатор относится к ресурсам инфраструктуры спама, например сборщикам адресов (проверка адресов), URL в спам-письмах и т. п.',
  },
  'abusive-content/harmful-speech': {
    label: 'Травля и язык вражды',
    description:
      'Травля, преследование или дискриминация кого-либо, например киберпреследование, расизм или угрозы в адрес одного или нескольких лиц.',
  },
  'abusive-content/violence': {
    label: 'Сексуальная эксплуатация (детей), сексуальный контент и насилие',
    description:
      'Материалы сексуальной эксплуатации детей (CSE), сексуальный контент, пропаганда насилия и т. п.',
  },
  'malicious-code/infected-system': {
    label: 'Заражённая система',
    description:
      'Система, заражённая вредоносным ПО, например компьютер, смартфон или сервер с руткитом. Чаще всего речь идёт о подключении к перехваченному (sinkhole) серверу управления.',
  },
  'malicious-code/c2-server': {
    label: 'Сервер управления (C2)',
    description: 'Сервер управления, к которому обращается вредоносное ПО на заражённых системах.',
  },
  'malicious-code/malware-distribution': {
    label: 'Распространение вредоносного ПО',
    description:
      'URI, используемый для распространения вредоносного ПО, например ссылка на загрузку в спам-письме с поддельным счётом или набор эксплойтов (на веб-сайтах).',
  },
  'malicious-code/malware-configuration': {
    label: 'Конфигурация вредоносного ПО',
    description:
      'URI, по которому размещён файл конфигурации вредоносного ПО, например веб-инжекты банковского трояна.',
  },
  'information-gathering/scanner': {
    label: 'Сканирование',
    description:
      'Атаки, при которых системе направляются запросы для выявления слабых мест. Сюда относится и сбор сведений об узлах, службах и учётных записях: запросы finger и DNS, ICMP, SMTP (EXPN, RCPT и др.), сканирование портов.',
  },
  'information-gathering/sniffing': {
    label: 'Перехват трафика',
    description: 'Наблюдение за сетевым трафиком и его запись (прослушивание).',
  },
  'information-gathering/social-engineering': {
    label: 'Социальная инженерия',
    description:
      'Получение сведений от человека нетехническими способами (ложь, уловки, подкуп или угрозы).',
  },
  'intrusion-attempts/ids-alert': {
    label: 'Эксплуатация известных уязвимостей',
    description:
      'Попытка скомпрометировать систему или нарушить работу службы, эксплуатируя уязвимость со стандартным идентификатором, например CVE (переполнение буфера, бэкдор, межсайтовый скриптинг).',
  },
  'intrusion-attempts/brute-force': {
    label: 'Попытки входа (подбор паролей)',
    description:
      'Многочисленные попытки входа методом перебора (включая угадывание и взлом паролей). Индикатор относится к ресурсу, замеченному в атаках перебором по определённому прикладному протоколу.',
  },
  'intrusion-attempts/exploit': {
    label: 'Новая сигнатура атаки',
    description: 'Атака с использованием неизвестного эксплойта.',
  },
  'intrusions/privileged-account-compromise': {
    label: 'Компрометация привилегированной учётной записи',
    description: 'Компрометация системы, при которой злоумышленник получил права администратора.',
  },
  'intrusions/unprivileged-account-compromise': {
    label: 'Компрометация непривилегированной учётной записи',
    description:
      'Компрометация системы через непривилегированную (пользовательскую или служебную) учётную запись.',
  },
  'intrusions/application-compromise': {
    label: 'Компрометация приложения',
    description:
      'Компрометация приложения через известные или неизвестные уязвимости ПО, например SQL-инъекцию.',
  },
  'intrusions/system-compromise': {
    label: 'Компрометация системы',
    description:
      'Компрометация системы, например несанкционированный вход или выполнение команд. Сюда относятся и попытки компрометации систем-ловушек (honeypot).',
  },
  'intrusions/burglary': {
    label: 'Физическое проникновение',
    description:
      'Физическое проникновение, например в здание организации или центр обработки данных.',
  },
  'availability/dos': {
    label: 'Отказ в обслуживании (DoS)',
    description:
      'Атака типа «отказ в обслуживании», например отправка специально сформированных запросов веб-приложению, приводящих к его аварийному завершению или замедлению.',
  },
  'availability/ddos': {
    label: 'Распределённый отказ в обслуживании (DDoS)',
    description:
      'Распределённая атака типа «отказ в обслуживании», например SYN-флуд или атаки с отражением и усилением по UDP.',
  },
  'availability/misconfiguration': {
    label: 'Ошибка конфигурации',
    description:
      'Ошибка в настройке ПО, нарушающая доступность службы, например DNS-сервер с устаревшим ключом KSK корневой зоны DNSSEC.',
  },
  'availability/sabotage': {
    label: 'Саботаж',
    description:
      'Умышленные действия, угрожающие повреждением системы или компонента, направленные на это или причиняющие его с целью нарушить доступность службы. Они возможны как на логическом, так и на физическом уровне: от вредоносных правил межсетевого экрана, отбрасывающих весь трафик, до перерезания кабелей, угроз взрыва или поджога.',
  },
  'availability/outage': {
    label: 'Сбой в работе',
    description:
      'Перерыв в работе, вызванный, например, отказом системы кондиционирования или стихийным бедствием.',
  },
  'information-content-security/unauthorised-information-access': {
    label: 'Несанкционированный доступ к информации',
    description:
      'Несанкционированный доступ к информации, например с использованием похищенных учётных данных системы или приложения, путём перехвата трафика или получения доступа к бумажным документам.',
  },
  'information-content-security/unauthorised-information-modification': {
    label: 'Несанкционированное изменение информации',
    description:
      'Несанкционированное изменение информации, например злоумышленником с похищенными учётными данными системы или приложения либо программой-вымогателем, шифрующей данные. Сюда относится и дефейс.',
  },
  'information-content-security/data-loss': {
    label: 'Утрата данных',
    description:
      'Утрата данных, вызванная, например, отказом жёсткого диска или физической кражей.',
  },
  'information-content-security/data-leak': {
    label: 'Утечка конфиденциальной информации',
    description:
      'Утечка конфиденциальной информации, например учётных данных или персональных данных.',
  },
  'fraud/unauthorised-use-of-resources': {
    label: 'Несанкционированное использование ресурсов',
    description:
      'Использование ресурсов в несанкционированных целях, в том числе для извлечения прибыли, например использование электронной почты для участия в незаконных «письмах счастья» или финансовых пирамидах.',
  },
  'fraud/copyright': {
    label: 'Нарушение авторских прав',
    description:
      'Распространение или установка копий нелицензионного коммерческого ПО или других материалов, охраняемых авторским правом (так называемый варез).',
  },
  'fraud/masquerade': {
    label: 'Маскарад (выдача себя за другого)',
    description:
      'Атака, при которой один субъект неправомерно выдаёт себя за другого, чтобы извлечь из этого выгоду.',
  },
  'fraud/phishing': {
    label: 'Фишинг',
    description:
      'Выдача себя за другой субъект, чтобы убедить пользователя раскрыть учётные данные. Индикатор чаще всего — URL, используемый для кражи учётных данных.',
  },
  'vulnerable/weak-crypto': {
    label: 'Нестойкая криптография',
    description:
      'Общедоступные службы с нестойкой криптографией, например веб-серверы, уязвимые к атакам POODLE или FREAK.',
  },
  'vulnerable/ddos-amplifier': {
    label: 'Усилитель DDoS-атак',
    description:
      'Общедоступные службы, которые можно использовать для DDoS-атак с отражением и усилением, например открытые DNS-резолверы или NTP-серверы с включённой командой monlist.',
  },
  'vulnerable/potentially-unwanted-accessible': {
    label: 'Потенциально нежелательные общедоступные службы',
    description:
      'Общедоступные службы, доступность которых потенциально нежелательна, например Telnet, RDP или VNC.',
  },
  'vulnerable/information-disclosure': {
    label: 'Раскрытие информации',
    description:
      'Общедоступные службы, потенциально раскрывающие чувствительную информацию, например SNMP или Redis.',
  },
  'vulnerable/vulnerable-system': {
    label: 'Уязвимая система',
    description:
      'Система, уязвимая к определённым атакам, например с неверными настройками прокси на клиенте (WPAD), устаревшей версией операционной системы или уязвимостями межсайтового скриптинга.',
  },
  'other/other': {
    label: 'Без категории',
    description:
      'Все инциденты, не подходящие ни под одну из категорий, относятся к этому классу; сюда же относится инцидент, которому категория не присвоена.',
  },
  'other/undetermined': {
    label: 'Не определено',
    description: 'Категория инцидента неизвестна или не определена.',
  },
  'test/test': {
    label: 'Тест',
    description: 'Для тестирования.',
  },
};

/** Each RSIT class's name and description in both languages, by class. */
export const RSIT_CLASS_TEXT: Record<string, { label: Text; description: Text }> = {
  'abusive-content': {
    label: { en: 'Abusive Content', ru: 'Нежелательный и противоправный контент' },
    description: {
      en: 'Content whose distribution harms its recipients or breaks the law: spam, harmful speech, sexual exploitation and violent content.',
      ru: 'Контент, распространение которого вредит получателям или нарушает закон: спам, травля и язык вражды, материалы сексуальной эксплуатации и насилия.',
    },
  },
  'malicious-code': {
    label: { en: 'Malicious Code', ru: 'Вредоносный код' },
    description: {
      en: 'Malware and its infrastructure: infected systems, command and control servers, distribution and configuration sites.',
      ru: 'Вредоносное ПО и его инфраструктура: заражённые системы, серверы управления, ресурсы распространения и конфигурации.',
    },
  },
  'information-gathering': {
    label: { en: 'Information Gathering', ru: 'Сбор информации' },
    description: {
      en: 'Reconnaissance before an attack: scanning, sniffing and social engineering.',
      ru: 'Разведка перед атакой: сканирование, перехват трафика и социальная инженерия.',
    },
  },
  'intrusion-attempts': {
    label: { en: 'Intrusion Attempts', ru: 'Попытки вторжения' },
    description: {
      en: 'Attempts to compromise a system that have not (yet) succeeded: exploitation of vulnerabilities, login attempts, new attack signatures.',
      ru: 'Попытки скомпрометировать систему, (ещё) не увенчавшиеся успехом: эксплуатация уязвимостей, попытки входа, новые сигнатуры атак.',
    },
  },
  intrusions: {
    label: { en: 'Intrusions', ru: 'Вторжения' },
    description: {
      en: 'A successful compromise of an account, an application or a system, or a physical intrusion.',
      ru: 'Успешная компрометация учётной записи, приложения или системы либо физическое проникновение.',
    },
  },
  availability: {
    label: { en: 'Availability', ru: 'Нарушение доступности' },
    description: {
      en: 'A service made unavailable or degraded: denial of service, misconfiguration, sabotage or outage.',
      ru: 'Служба недоступна или работает с перебоями: отказ в обслуживании, ошибка конфигурации, саботаж или сбой.',
    },
  },
  'information-content-security': {
    label: { en: 'Information Content Security', ru: 'Безопасность информации' },
    description: {
      en: 'The confidentiality or integrity of information breached: unauthorised access or modification, data loss, leaks.',
      ru: 'Нарушение конфиденциальности или целостности информации: несанкционированный доступ или изменение, утрата данных, утечки.',
    },
  },
  fraud: {
    label: { en: 'Fraud', ru: 'Мошенничество' },
    description: {
      en: 'Deception for gain: unauthorised use of resources, copyright infringement, masquerade, phishing.',
      ru: 'Обман ради выгоды: несанкционированное использование ресурсов, нарушение авторских прав, маскарад, фишинг.',
    },
  },
  vulnerable: {
    label: { en: 'Vulnerable', ru: 'Уязвимости' },
    description: {
      en: 'Systems and services open to attack, before anyone has abused them: weak cryptography, DDoS amplifiers, exposed services, vulnerable systems.',
      ru: 'Системы и службы, открытые для атак, до их использования злоумышленником: нестойкая криптография, усилители DDoS, открытые службы, уязвимые системы.',
    },
  },
  other: {
    label: { en: 'Other', ru: 'Прочее' },
    description: {
      en: 'Incidents that fit no other class, or whose class is not yet determined.',
      ru: 'Инциденты, не подходящие ни под один класс или класс которых ещё не определён.',
    },
  },
  test: {
    label: { en: 'Test', ru: 'Тестирование' },
    description: {
      en: 'Meant for testing.',
      ru: 'Для тестирования.',
    },
  },
};

/**
 * TLP 2.0 (FIRST): the labels are written as they are in every language; what each allows,
 * in plain words for this community. `color`: FIRST's colour of the label (on black).
 */
export const TLP_TEXT: Record<string, { description: Text; color: string }> = {
  'TLP:RED': {
    color: '#FF2B2B',
    description: {
      en: 'For the named recipients only: no further disclosure, not even within their organisations.',
      ru: 'Только для поименно названных получателей: дальнейшее распространение запрещено, даже внутри их организаций.',
    },
  },
  'TLP:AMBER+STRICT': {
    color: '#FFC000',
    description: {
      en: 'Limited disclosure: within the recipient organisation only, to those who need to know.',
      ru: 'Ограниченное распространение: только внутри организации-получателя и только тем, кому это необходимо для работы.',
    },
  },
  'TLP:AMBER': {
    color: '#FFC000',
    description: {
      en: 'Limited disclosure: the recipient organisation and its clients (for a national CERT, its constituents), to those who need to know.',
      ru: 'Ограниченное распространение: организация-получатель и её клиенты (для национального CERT — его зона ответственности), только тем, кому это необходимо для работы.',
    },
  },
  'TLP:GREEN': {
    color: '#33FF00',
    description: {
      en: 'Limited disclosure: the community (here the member-state CERTs and the coordination center), not via publicly accessible channels.',
      ru: 'Ограниченное распространение: в пределах сообщества (здесь — CERT государств-членов и координационный центр), но не через общедоступные каналы.',
    },
  },
  'TLP:CLEAR': {
    color: '#FFFFFF',
    description: {
      en: 'Disclosure is not limited: anyone may share it, subject to copyright.',
      ru: 'Распространение не ограничено: делиться может кто угодно с соблюдением авторских прав.',
    },
  },
};

export const SEVERITY_LABELS: Record<Severity, Text> = {
  critical: { en: 'Critical', ru: 'Критический' },
  high: { en: 'High', ru: 'Высокий' },
  medium: { en: 'Medium', ru: 'Средний' },
  low: { en: 'Low', ru: 'Низкий' },
};

export const SECTOR_LABELS: Record<Sector, Text> = {
  energy: { en: 'Energy', ru: 'Энергетика' },
  finance: { en: 'Finance', ru: 'Финансы' },
  government: { en: 'Government', ru: 'Государственное управление' },
  defence: { en: 'Defence', ru: 'Оборона' },
  telecom: { en: 'Telecommunications', ru: 'Связь' },
  transport: { en: 'Transport', ru: 'Транспорт' },
  health: { en: 'Health', ru: 'Здравоохранение' },
  water: { en: 'Water', ru: 'Водоснабжение' },
  education: { en: 'Education', ru: 'Образование' },
  other: { en: 'Other', ru: 'Прочее' },
};

export const STATUS_LABELS: Record<Status, Text> = {
  new: { en: 'New', ru: 'Новый' },
  triaged: { en: 'Triaged', ru: 'Разобран' },
  in_progress: { en: 'In progress', ru: 'В работе' },
  resolved: { en: 'Resolved', ru: 'Решён' },
  closed: { en: 'Closed', ru: 'Закрыт' },
  rejected: { en: 'Rejected', ru: 'Отклонён' },
  duplicate: { en: 'Duplicate', ru: 'Дубликат' },
};

export const DISPATCH_STATUS_LABELS: Record<'pending' | 'notified' | 'acknowledged', Text> = {
  pending: { en: 'Pending', ru: 'Ожидает отправки' },
  notified: { en: 'Notified', ru: 'Уведомлён' },
  acknowledged: { en: 'Acknowledged', ru: 'Получение подтверждено' },
};

export const MEMBER_STATE_LABELS: Record<MemberStateCode, Text> = {
  AM: { en: 'Armenia', ru: 'Армения' },
  BY: { en: 'Belarus', ru: 'Беларусь' },
  KZ: { en: 'Kazakhstan', ru: 'Казахстан' },
  KG: { en: 'Kyrgyzstan', ru: 'Кыргызстан' },
  RU: { en: 'Russia', ru: 'Россия' },
  TJ: { en: 'Tajikistan', ru: 'Таджикистан' },
};
