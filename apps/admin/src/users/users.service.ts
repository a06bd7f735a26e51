import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { hash } from '@node-rs/argon2';
import { ErrorCode, LlmpError } from '@llmp/common';
import { OutboxRepository, type PrismaTx } from '@llmp/infra';
import { TransactionRunner } from '@llmp/policy';
import type { AdminRequestContext } from '../auth/admin-request-context';
import { adminAuditEvent } from '../common/audit-event.factory';
import { AdminUserRepository, type AdminUserRecord } from './admin-user.repository';
import type { CreateUserDto } from './dto/create-user.dto';
import type { UpdateUserDto } from './dto/update-user.dto';
import type { UserDto } from './dto/user.dto';
import { userView } from './user.view';

function notFound(id: string): LlmpError {
  return new LlmpError(ErrorCode.NotFound, `No admin user with id \`${id}\`.`);
}

/** Admin users; passwords are stored as argon2id hashes only. */
@Injectable()
export class UsersService {
  constructor(
    private readonly users: AdminUserRepository,
    private readonly outbox: OutboxRepository,
    private readonly tx: TransactionRunner,
  ) {}

  async create(ctx: AdminRequestContext, dto: CreateUserDto): Promise<UserDto> {
    const passwordHash = await hash(dto.password);
    const email = dto.email.toLowerCase();
    const user = await this.tx.run(async (tx) => {
      const created = await this.users.create(tx, { id: 'usr_' + randomBytes(12).toString('base64url'), email, passwordHash, role: dto.role });
      await this.outbox.appendAudit(tx, adminAuditEvent(ctx, 'user.create', `user:${created.id}`, null, userView(created)));
      return created;
    });
    return userView(user);
  }

  async list(): Promise<UserDto[]> {
    return (await this.users.list()).map(userView);
  }

  async get(id: string): Promise<UserDto> {
    const user = await this.users.findById(id);
    if (!user) throw notFound(id);
    return userView(user);
  }

  async update(ctx: AdminRequestContext, id: string, dto: UpdateUserDto): Promise<UserDto> {
    const passwordHash = dto.password === undefined ? undefined : await hash(dto.password);
    const user = await this.tx.run(async (tx) => {
      const before = await this.mustFind(tx, id);
      // A new password, another role or a change of the disabled state ends the user's sessions at once.
      const endSessions =
        passwordHash !== undefined ||
        (dto.role !== undefined && dto.role !== before.role) ||
        (dto.disabled !== undefined && dto.disabled !== (before.disabledAt !== null));
      const after = await this.users.update(
        tx,
        id,
        {
          ...(dto.role !== undefined && { role: dto.role }),
          ...(passwordHash !== undefined && { passwordHash }),
          ...(dto.disabled !== undefined && { disabledAt: dto.disabled ? (before.disabledAt ?? new Date()) : null }),
        },
        endSessions,
      );
      const changed = { ...userView(after), passwordChanged: passwordHash !== undefined };
      await this.outbox.appendAudit(tx, adminAuditEvent(ctx, 'user.update', `user:${id}`, userView(before), changed));
      return after;
    });
    return userView(user);
  }

  async delete(ctx: AdminRequestContext, id: string): Promise<void> {
    await this.tx.run(async (tx) => {
      const before = await this.mustFind(tx, id);
      await this.users.delete(tx, id);
      await this.outbox.appendAudit(tx, adminAuditEvent(ctx, 'user.delete', `user:${id}`, userView(before), null));
    });
  }

  private async mustFind(tx: PrismaTx, id: string): Promise<AdminUserRecord> {
    const user = await this.users.findById(id, tx);
    if (!user) throw notFound(id);
    return user;
  }
}
