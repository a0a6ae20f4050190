// The pipeline's "Add ECS categorization" table: event.category / event.type by eventName. Every
// other event keeps event.type ["info"] and no event.category.

interface Categorization {
  category: readonly string[];
  type: readonly string[];
}

const iam = (...type: string[]): Categorization => ({ category: ['iam'], type });

const TABLE: Record<string, Categorization> = {
  AddUserToGroup: iam('group', 'change'),
  AssumeRole: { category: ['authentication'], type: ['info'] },
  AttachGroupPolicy: iam('group', 'change'),
  AttachUserPolicy: iam('user', 'change'),
  ChangePassword: iam('user', 'change'),
  ConsoleLogin: { category: ['authentication'], type: ['info'] },
  CreateAccessKey: iam('user', 'change'),
  CreateBucket: { category: ['file'], type: ['creation'] },
  CreateGroup: iam('group', 'creation'),
  CreateKeyPair: iam('admin', 'creation'),
  CreateUser: iam('user', 'creation'),
  CreateVirtualMFADevice: iam('user', 'change'),
  DeactivateMFADevice: iam('user', 'change'),
  DeleteAccessKey: iam('user', 'change'),
  DeleteBucket: { category: ['file'], type: ['deletion'] },
  DeleteGroup: iam('group', 'deletion'),
  DeleteGroupPolicy: iam('group', 'change'),
  DeleteSSHPublicKey: iam('user', 'change'),
  DeleteUser: iam('user', 'deletion'),
  DeleteUserPermissionsBoundary: iam('user', 'change'),
  DeleteUserPolicy: iam('user', 'change'),
  DeleteVirtualMFADevice: iam('user', 'change'),
  DetachGroupPolicy: iam('group', 'change'),
  DetachUserPolicy: iam('user', 'change'),
  EnableMFADevice: iam('user', 'change'),
  GetGroup: iam('group', 'info'),
  GetGroupPolicy: iam('group', 'info'),
  GetUser: iam('user', 'info'),
  GetUserPolicy: iam('user', 'info'),
  ListAttachedGroupPolicies: iam('group', 'info'),
  ListAttachedUserPolicies: iam('user', 'info'),
  ListGroupPolicies: iam('group', 'info'),
  ListGroups: iam('group', 'info'),
  ListGroupsForUser: iam('user', 'info'),
  ListUserPolicies: iam('user', 'info'),
  ListUsers: iam('user', 'info'),
  ListUserTags: iam('user', 'info'),
  PutGroupPolicy: iam('group', 'change'),
  PutUserPermissionsBoundary: iam('user', 'change'),
  PutUserPolicy: iam('user', 'change'),
  RemoveUserFromGroup: iam('group', 'change'),
  SetDefaultPolicyVersion: iam('admin', 'change'),
  SetSecurityTokenServicePreferences: iam('admin', 'change'),
  TagUser: iam('user', 'change'),
  UntagUser: iam('user', 'change'),
  UpdateAccessKey: iam('user', 'change'),
  UpdateAccountPasswordPolicy: iam('admin', 'change'),
  UpdateGroup: iam('group', 'change'),
  UpdateLoginProfile: iam('user', 'change'),
  UpdateRole: iam('admin', 'change'),
  UpdateSSHPublicKey: iam('user', 'change'),
  UpdateUser: iam('user', 'change'),
};

/** The categorization for an event.action, or undefined (then event.type stays ["info"]). */
export function categorizationOf(action: string): Categorization | undefined {
  return Object.prototype.hasOwnProperty.call(TABLE, action) ? TABLE[action] : undefined;
}
