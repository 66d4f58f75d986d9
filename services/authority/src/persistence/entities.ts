import { ClientEntity } from '../clients/client.entity';
import { SigningKeyEntity } from '../signing-keys/signing-key.entity';
import { TenantEntity } from '../tenants/tenant.entity';
import { UserEntity, UserRoleEntity } from '../users/user.entity';

export const authorityEntities = [TenantEntity, ClientEntity, UserEntity, UserRoleEntity, SigningKeyEntity];
