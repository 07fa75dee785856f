/**
 * `npm run user:create -- --username NAME --role admin [--state XX] [--email ...]`: creates a
 * person and prints the activation link once (like Django's createsuperuser). With `--reset`
 * it resets an existing user instead (a locked-out admin): password and second factor are
 * cleared, sessions end, and a new link is printed. Runs against DATABASE_URL.
 */
import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { problemBody } from '../common/problem.filter.js';
import { Problem } from '../common/problem.js';
import { flattenValidationErrors } from '../common/validation.js';
import { loadConfig } from '../config/config.js';
import { render } from '../i18n/i18n.js';
import { dataSourceOptions } from '../database/data-source.js';
import { prepareDatabase } from '../database/prepare-database.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { ActivationMailer, activationLink } from './activation.mailer.js';
import { CreateUserDto } from './dto/create-user.dto.js';
import { UsersService } from './users.service.js';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      username: { type: 'string' },
      role: { type: 'string' },
      state: { type: 'string' },
      email: { type: 'string' },
      'display-name': { type: 'string' },
      locale: { type: 'string' },
      reset: { type: 'boolean', default: false },
    },
  });
  const config = loadConfig();
  await prepareDatabase(config.databaseUrl);
  const dataSource = new DataSource({
    ...dataSourceOptions(config.databaseUrl, 2),
    logging: false,
  });
  await dataSource.initialize();
  try {
    const mailer = new ActivationMailer(config);
    const users = new UsersService(
      dataSource,
      new AuditService(dataSource),
      new SessionsService(dataSource, config),
      mailer,
      config,
    );
    const actor = `cli:${userInfo().username}`;
    let result;
    if (values.reset) {
      const [row] = await dataSource.query<{ id: string }[]>(
        'SELECT id FROM users WHERE username = $1',
        [values.username?.toLowerCase() ?? ''],
      );
      if (!row) {
        console.error(`No user named ${values.username}`);
        return 1;
      }
      result = await users.reset(row.id, actor);
    } else {
      const dto = plainToInstance(CreateUserDto, {
        username: values.username,
        role: values.role,
        state: values.state,
        email: values.email,
        displayName: values['display-name'],
        locale: values.locale,
      });
      const errors = flattenValidationErrors(await validate(dto, { whitelist: true }));
      if (errors.length > 0) {
        for (const e of errors) console.error(`--${e.field}: ${render('en', e.message)}`);
        return 2;
      }
      result = await users.create(dto, actor);
    }
    mailer.onApplicationShutdown();
    console.log(
      `${values.reset ? 'Reset' : 'Created'} user ${result.username} (${result.role}${result.state ? ` ${result.state}` : ''}).`,
    );
    console.log(`Activation link, valid until ${result.activationExpiresAt}, shown once:`);
    console.log(`  ${activationLink(config.publicUrl, result.activationToken)}`);
    console.log(`Activation token: ${result.activationToken}`);
    return 0;
  } catch (err) {
    if (err instanceof Problem) {
      // The operator's terminal: English, field by field like an API answer's detail.
      console.error(String(problemBody(err, 'en').detail));
      return 1;
    }
    throw err;
  } finally {
    await dataSource.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error('user:create failed:', err);
    process.exit(1);
  },
);
